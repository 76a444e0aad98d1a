#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's OpenSSL 3, loaded at run time with `dlopen` so that Tether neither links libssl nor needs
/// its headers: binaries run where libssl3 is absent and only `wss://` reports ``WebSocketError/tlsUnavailable(_:)``.
///
/// Only the ~25 functions a TLS client needs are looked up; the handle is never closed.
struct OpenSSLLibrary: @unchecked Sendable {
    typealias Pointer = OpaquePointer

    let tlsClientMethod: @convention(c) () -> Pointer?
    let contextNew: @convention(c) (Pointer?) -> Pointer?
    let contextFree: @convention(c) (Pointer?) -> Void
    let contextSetDefaultVerifyPaths: @convention(c) (Pointer?) -> Int32
    let contextLoadVerifyLocations: @convention(c) (Pointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    let contextSetVerify: @convention(c) (Pointer?, Int32, OpaquePointer?) -> Void
    let contextControl: @convention(c) (Pointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int
    let sslNew: @convention(c) (Pointer?) -> Pointer?
    let sslFree: @convention(c) (Pointer?) -> Void
    let sslSetFD: @convention(c) (Pointer?, Int32) -> Int32
    let sslControl: @convention(c) (Pointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int
    let sslSet1Host: @convention(c) (Pointer?, UnsafePointer<CChar>?) -> Int32
    let sslGet0Param: @convention(c) (Pointer?) -> Pointer?
    let verifyParamSet1IPAsc: @convention(c) (Pointer?, UnsafePointer<CChar>?) -> Int32
    let sslConnect: @convention(c) (Pointer?) -> Int32
    let sslRead: @convention(c) (Pointer?, UnsafeMutableRawPointer?, Int32) -> Int32
    let sslWrite: @convention(c) (Pointer?, UnsafeRawPointer?, Int32) -> Int32
    let sslGetError: @convention(c) (Pointer?, Int32) -> Int32
    let sslGetVerifyResult: @convention(c) (Pointer?) -> Int
    let sslShutdown: @convention(c) (Pointer?) -> Int32
    let errGetError: @convention(c) () -> UInt
    let errErrorStringN: @convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void
    let errClearError: @convention(c) () -> Void
    let verifyCertErrorString: @convention(c) (Int) -> UnsafePointer<CChar>?

    // Constants from the OpenSSL 3 headers (stable ABI values).
    static let verifyPeer: Int32 = 1
    static let controlSetTLSExtHostName: Int32 = 55
    static let controlMode: Int32 = 33
    static let controlSetMinProtoVersion: Int32 = 123
    static let modePartialWriteAndMovingBuffer = 1 | 2
    static let tls12Version = 0x0303
    static let errorSSL: Int32 = 1
    static let errorWantRead: Int32 = 2
    static let errorWantWrite: Int32 = 3
    static let errorSyscall: Int32 = 5
    static let errorZeroReturn: Int32 = 6

    /// The loaded library, or why it could not be loaded. Loaded once per process.
    static let shared: Result<OpenSSLLibrary, WebSocketError> = load()

    private static func load() -> Result<OpenSSLLibrary, WebSocketError> {
        #if canImport(Darwin)
        let candidates = ["libssl.3.dylib", "/opt/homebrew/opt/openssl@3/lib/libssl.3.dylib", "/usr/local/opt/openssl@3/lib/libssl.3.dylib"]
        #else
        let candidates = ["libssl.so.3"]
        #endif
        var handle: UnsafeMutableRawPointer?
        for name in candidates where handle == nil {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
        }
        guard let handle else {
            let detail = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(.tlsUnavailable("cannot load \(candidates[0]) (install OpenSSL 3): \(detail)"))
        }
        var missing: [String] = []
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            guard let address = dlsym(handle, name) else {
                missing.append(name)
                return nil
            }
            return unsafeBitCast(address, to: type)
        }
        let library = OpenSSLLibrary(
            tlsClientMethod: symbol("TLS_client_method", as: (@convention(c) () -> Pointer?).self),
            contextNew: symbol("SSL_CTX_new", as: (@convention(c) (Pointer?) -> Pointer?).self),
            contextFree: symbol("SSL_CTX_free", as: (@convention(c) (Pointer?) -> Void).self),
            contextSetDefaultVerifyPaths: symbol("SSL_CTX_set_default_verify_paths", as: (@convention(c) (Pointer?) -> Int32).self),
            contextLoadVerifyLocations: symbol(
                "SSL_CTX_load_verify_locations",
                as: (@convention(c) (Pointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32).self
            ),
            contextSetVerify: symbol("SSL_CTX_set_verify", as: (@convention(c) (Pointer?, Int32, OpaquePointer?) -> Void).self),
            contextControl: symbol("SSL_CTX_ctrl", as: (@convention(c) (Pointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int).self),
            sslNew: symbol("SSL_new", as: (@convention(c) (Pointer?) -> Pointer?).self),
            sslFree: symbol("SSL_free", as: (@convention(c) (Pointer?) -> Void).self),
            sslSetFD: symbol("SSL_set_fd", as: (@convention(c) (Pointer?, Int32) -> Int32).self),
            sslControl: symbol("SSL_ctrl", as: (@convention(c) (Pointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int).self),
            sslSet1Host: symbol("SSL_set1_host", as: (@convention(c) (Pointer?, UnsafePointer<CChar>?) -> Int32).self),
            sslGet0Param: symbol("SSL_get0_param", as: (@convention(c) (Pointer?) -> Pointer?).self),
            verifyParamSet1IPAsc: symbol("X509_VERIFY_PARAM_set1_ip_asc", as: (@convention(c) (Pointer?, UnsafePointer<CChar>?) -> Int32).self),
            sslConnect: symbol("SSL_connect", as: (@convention(c) (Pointer?) -> Int32).self),
            sslRead: symbol("SSL_read", as: (@convention(c) (Pointer?, UnsafeMutableRawPointer?, Int32) -> Int32).self),
            sslWrite: symbol("SSL_write", as: (@convention(c) (Pointer?, UnsafeRawPointer?, Int32) -> Int32).self),
            sslGetError: symbol("SSL_get_error", as: (@convention(c) (Pointer?, Int32) -> Int32).self),
            sslGetVerifyResult: symbol("SSL_get_verify_result", as: (@convention(c) (Pointer?) -> Int).self),
            sslShutdown: symbol("SSL_shutdown", as: (@convention(c) (Pointer?) -> Int32).self),
            errGetError: symbol("ERR_get_error", as: (@convention(c) () -> UInt).self),
            errErrorStringN: symbol("ERR_error_string_n", as: (@convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void).self),
            errClearError: symbol("ERR_clear_error", as: (@convention(c) () -> Void).self),
            verifyCertErrorString: symbol("X509_verify_cert_error_string", as: (@convention(c) (Int) -> UnsafePointer<CChar>?).self)
        )
        guard let library, missing.isEmpty else {
            return .failure(.tlsUnavailable("libssl lacks \(missing.joined(separator: ", "))"))
        }
        // SSL_write uses write(2), which raises SIGPIPE on a closed peer; a library must not die of that.
        _ = signal(SIGPIPE, SIG_IGN)
        return .success(library)
    }

    /// Drains OpenSSL's (thread-local) error queue into one line.
    func errorDescription() -> String {
        var parts: [String] = []
        while true {
            let code = errGetError()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            errErrorStringN(code, &buffer, buffer.count)
            parts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.isEmpty ? "unknown TLS error" : parts.joined(separator: "; ")
    }
}

private extension OpenSSLLibrary {
    /// Memberwise init that fails when any symbol is missing.
    init?(
        tlsClientMethod: (@convention(c) () -> Pointer?)?,
        contextNew: (@convention(c) (Pointer?) -> Pointer?)?,
        contextFree: (@convention(c) (Pointer?) -> Void)?,
        contextSetDefaultVerifyPaths: (@convention(c) (Pointer?) -> Int32)?,
        contextLoadVerifyLocations: (@convention(c) (Pointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32)?,
        contextSetVerify: (@convention(c) (Pointer?, Int32, OpaquePointer?) -> Void)?,
        contextControl: (@convention(c) (Pointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int)?,
        sslNew: (@convention(c) (Pointer?) -> Pointer?)?,
        sslFree: (@convention(c) (Pointer?) -> Void)?,
        sslSetFD: (@convention(c) (Pointer?, Int32) -> Int32)?,
        sslControl: (@convention(c) (Pointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int)?,
        sslSet1Host: (@convention(c) (Pointer?, UnsafePointer<CChar>?) -> Int32)?,
        sslGet0Param: (@convention(c) (Pointer?) -> Pointer?)?,
        verifyParamSet1IPAsc: (@convention(c) (Pointer?, UnsafePointer<CChar>?) -> Int32)?,
        sslConnect: (@convention(c) (Pointer?) -> Int32)?,
        sslRead: (@convention(c) (Pointer?, UnsafeMutableRawPointer?, Int32) -> Int32)?,
        sslWrite: (@convention(c) (Pointer?, UnsafeRawPointer?, Int32) -> Int32)?,
        sslGetError: (@convention(c) (Pointer?, Int32) -> Int32)?,
        sslGetVerifyResult: (@convention(c) (Pointer?) -> Int)?,
        sslShutdown: (@convention(c) (Pointer?) -> Int32)?,
        errGetError: (@convention(c) () -> UInt)?,
        errErrorStringN: (@convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void)?,
        errClearError: (@convention(c) () -> Void)?,
        verifyCertErrorString: (@convention(c) (Int) -> UnsafePointer<CChar>?)?
    ) {
        guard let tlsClientMethod, let contextNew, let contextFree, let contextSetDefaultVerifyPaths,
              let contextLoadVerifyLocations, let contextSetVerify, let contextControl, let sslNew, let sslFree,
              let sslSetFD, let sslControl, let sslSet1Host, let sslGet0Param, let verifyParamSet1IPAsc,
              let sslConnect, let sslRead, let sslWrite, let sslGetError, let sslGetVerifyResult, let sslShutdown,
              let errGetError, let errErrorStringN, let errClearError, let verifyCertErrorString
        else { return nil }
        self.init(
            tlsClientMethod: tlsClientMethod, contextNew: contextNew, contextFree: contextFree,
            contextSetDefaultVerifyPaths: contextSetDefaultVerifyPaths,
            contextLoadVerifyLocations: contextLoadVerifyLocations, contextSetVerify: contextSetVerify,
            contextControl: contextControl, sslNew: sslNew, sslFree: sslFree, sslSetFD: sslSetFD,
            sslControl: sslControl, sslSet1Host: sslSet1Host, sslGet0Param: sslGet0Param,
            verifyParamSet1IPAsc: verifyParamSet1IPAsc, sslConnect: sslConnect, sslRead: sslRead,
            sslWrite: sslWrite, sslGetError: sslGetError, sslGetVerifyResult: sslGetVerifyResult,
            sslShutdown: sslShutdown, errGetError: errGetError, errErrorStringN: errErrorStringN,
            errClearError: errClearError, verifyCertErrorString: verifyCertErrorString
        )
    }
}
