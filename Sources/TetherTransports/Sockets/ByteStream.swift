/// The outcome of one non-blocking read or write.
enum IOStatus: Sendable, Equatable {
    /// This many bytes were transferred (never 0).
    case transferred(Int)
    /// Nothing can be done until the socket is readable (or writable) again.
    case wouldBlock
    /// The peer closed the connection.
    case endOfStream
    case failed(String)
}

/// A connected, non-blocking byte stream: plain TCP or TLS over TCP.
///
/// Not thread-safe: a stream is owned by one connection and used only on that connection's serial queue
/// (OpenSSL forbids concurrent `SSL_read`/`SSL_write` on one `SSL*`).
protocol ByteStream: AnyObject {
    /// The socket, for readiness sources and `poll`.
    var fileDescriptor: Int32 { get }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOStatus
    func write(_ bytes: UnsafeRawBufferPointer) -> IOStatus
    /// Releases the stream and closes the socket (idempotent).
    func close()
}

extension ByteStream {
    /// Writes everything before `deadline`, waiting for writability as needed (used during the handshake).
    func writeAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(WebSocketError) {
        var offset = 0
        while offset < bytes.count {
            let status = bytes.withUnsafeBytes { raw in write(UnsafeRawBufferPointer(rebasing: raw[offset...])) }
            switch status {
            case .transferred(let count): offset += count
            case .wouldBlock: try Poll.wait(fileDescriptor, forWriting: true, deadline: deadline)
            case .endOfStream: throw .connectionFailed("connection closed during the handshake")
            case .failed(let detail): throw .connectionFailed(detail)
            }
        }
    }

    /// Reads at least one byte before `deadline`; an empty result means the peer closed the connection.
    func readSome(maximum: Int, deadline: ContinuousClock.Instant) throws(WebSocketError) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: maximum)
        while true {
            let status = chunk.withUnsafeMutableBytes { read(into: $0) }
            switch status {
            case .transferred(let count): return Array(chunk[..<count])
            case .wouldBlock: try Poll.wait(fileDescriptor, forWriting: false, deadline: deadline)
            case .endOfStream: return []
            case .failed(let detail): throw .connectionFailed(detail)
            }
        }
    }
}
