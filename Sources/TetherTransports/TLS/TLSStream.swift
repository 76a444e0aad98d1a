#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// TLS over a connected non-blocking socket, through the dynamically loaded OpenSSL.
///
/// The certificate must chain to the system trust store (or ``TLSOptions/caFile``) and match the host
/// (`SSL_set1_host`, or the IP address for literals); SNI is sent for names. Like every ``ByteStream`` it is
/// confined to its connection's serial queue, as OpenSSL requires for one `SSL*`.
final class TLSStream: ByteStream {
    let fileDescriptor: Int32
    private let library: OpenSSLLibrary
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?
    /// Length of a write that returned "want read/write": OpenSSL requires the retry to pass it again.
    private var retryWriteLength: Int?

    /// Runs the TLS handshake on `fileDescriptor` (which the stream then owns) before `deadline`.
    init(
        fileDescriptor: Int32,
        endpoint: Endpoint,
        options: TLSOptions,
        deadline: ContinuousClock.Instant
    ) throws(WebSocketError) {
        self.fileDescriptor = fileDescriptor
        switch OpenSSLLibrary.shared {
        case .success(let library): self.library = library
        case .failure(let error):
            PlainStream(fileDescriptor: fileDescriptor).close()
            throw error
        }
        do {
            try setUp(endpoint: endpoint, options: options)
            try handshake(deadline: deadline)
        } catch {
            close()
            throw error
        }
    }

    private func setUp(endpoint: Endpoint, options: TLSOptions) throws(WebSocketError) {
        library.errClearError()
        guard let method = library.tlsClientMethod(), let context = library.contextNew(method) else {
            throw .tlsUnavailable("SSL_CTX_new failed: \(library.errorDescription())")
        }
        self.context = context
        _ = library.contextControl(context, OpenSSLLibrary.controlSetMinProtoVersion, OpenSSLLibrary.tls12Version, nil)
        _ = library.contextControl(context, OpenSSLLibrary.controlMode, OpenSSLLibrary.modePartialWriteAndMovingBuffer, nil)
        library.contextSetVerify(context, OpenSSLLibrary.verifyPeer, nil)
        if library.contextSetDefaultVerifyPaths(context) != 1 {
            throw .tlsHandshakeFailed(verifyResult: 0, detail: "cannot load the system trust store: \(library.errorDescription())")
        }
        if let caFile = options.caFile, library.contextLoadVerifyLocations(context, caFile, nil) != 1 {
            throw .tlsHandshakeFailed(verifyResult: 0, detail: "cannot load CA file \(caFile): \(library.errorDescription())")
        }
        guard let ssl = library.sslNew(context) else { throw .tlsUnavailable("SSL_new failed: \(library.errorDescription())") }
        self.ssl = ssl
        guard library.sslSetFD(ssl, fileDescriptor) == 1 else {
            throw .tlsHandshakeFailed(verifyResult: 0, detail: "SSL_set_fd failed: \(library.errorDescription())")
        }
        let name = options.serverName ?? endpoint.host
        let isIP = options.serverName == nil && endpoint.hostIsIPLiteral
        if isIP {
            guard library.verifyParamSet1IPAsc(library.sslGet0Param(ssl), name) == 1 else {
                throw .tlsHandshakeFailed(verifyResult: 0, detail: "cannot verify IP address \(name)")
            }
        } else {
            // SNI (SSL_set_tlsext_host_name is a macro over SSL_ctrl) and host name verification.
            let sni = name.withCString { library.sslControl(ssl, OpenSSLLibrary.controlSetTLSExtHostName, 0, UnsafeMutableRawPointer(mutating: $0)) }
            guard sni == 1, library.sslSet1Host(ssl, name) == 1 else {
                throw .tlsHandshakeFailed(verifyResult: 0, detail: "cannot set the server name \(name)")
            }
        }
    }

    private func handshake(deadline: ContinuousClock.Instant) throws(WebSocketError) {
        while true {
            library.errClearError()
            let result = library.sslConnect(ssl)
            if result == 1 { return }
            let code = library.sslGetError(ssl, result)
            switch code {
            case OpenSSLLibrary.errorWantRead: try Poll.wait(fileDescriptor, forWriting: false, deadline: deadline)
            case OpenSSLLibrary.errorWantWrite: try Poll.wait(fileDescriptor, forWriting: true, deadline: deadline)
            default:
                let verify = library.sslGetVerifyResult(ssl)
                var detail = library.errorDescription()
                if verify != 0, let text = library.verifyCertErrorString(verify) { detail = String(cString: text) + " (\(detail))" }
                if code == OpenSSLLibrary.errorSyscall, verify == 0 { detail = "connection closed during the TLS handshake" }
                throw .tlsHandshakeFailed(verifyResult: verify, detail: detail)
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOStatus {
        guard let ssl else { return .endOfStream }
        library.errClearError()
        let result = library.sslRead(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if result > 0 { return .transferred(Int(result)) }
        switch library.sslGetError(ssl, result) {
        case OpenSSLLibrary.errorWantRead, OpenSSLLibrary.errorWantWrite: return .wouldBlock
        case OpenSSLLibrary.errorZeroReturn, OpenSSLLibrary.errorSyscall: return .endOfStream
        default: return .failed("TLS read: \(library.errorDescription())")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> IOStatus {
        guard let ssl else { return .endOfStream }
        var length = min(bytes.count, 1 << 20)
        if let retry = retryWriteLength, retry <= bytes.count { length = retry }
        library.errClearError()
        let result = library.sslWrite(ssl, bytes.baseAddress, Int32(length))
        if result > 0 {
            retryWriteLength = nil
            return .transferred(Int(result))
        }
        switch library.sslGetError(ssl, result) {
        case OpenSSLLibrary.errorWantRead, OpenSSLLibrary.errorWantWrite:
            retryWriteLength = length
            return .wouldBlock
        case OpenSSLLibrary.errorZeroReturn, OpenSSLLibrary.errorSyscall: return .endOfStream
        default: return .failed("TLS write: \(library.errorDescription())")
        }
    }

    func close() {
        if let ssl {
            library.sslFree(ssl)
            self.ssl = nil
        }
        if let context {
            library.contextFree(context)
            self.context = nil
        }
        if fileDescriptor >= 0, !closedFD {
            closedFD = true
            PlainStream(fileDescriptor: fileDescriptor).close()
        }
    }

    private var closedFD = false

    deinit { close() }
}
