#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain TCP: `recv`/`send` on a non-blocking socket (never raising SIGPIPE).
final class PlainStream: ByteStream {
    let fileDescriptor: Int32
    private var isClosed = false

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    deinit { close() }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOStatus {
        while true {
            let count = recv(fileDescriptor, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .transferred(count) }
            if count == 0 { return .endOfStream }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
            if errno == ECONNRESET { return .endOfStream }
            return .failed("recv: \(SystemError.message(errno))")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> IOStatus {
        #if canImport(Darwin)
        let flags: Int32 = 0
        #else
        let flags = Int32(MSG_NOSIGNAL)
        #endif
        while true {
            let count = send(fileDescriptor, bytes.baseAddress, bytes.count, flags)
            if count > 0 { return .transferred(count) }
            if count == 0 { return .wouldBlock }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
            if errno == EPIPE || errno == ECONNRESET { return .endOfStream }
            return .failed("send: \(SystemError.message(errno))")
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        #if canImport(Darwin)
        _ = Darwin.close(fileDescriptor)
        #elseif canImport(Musl)
        _ = Musl.close(fileDescriptor)
        #else
        _ = Glibc.close(fileDescriptor)
        #endif
    }
}
