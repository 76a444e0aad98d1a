/// Supplies the bearer token for every connect and HTTP request, so short-lived tokens can rotate
/// without rebuilding transports.
///
/// The closure is asked with ``Reason/connect`` before each (re)connect, ``Reason/request`` before each
/// HTTP request on an open connection (a send, a poll), and ``Reason/refresh`` once after the server
/// answered 401: return a *new* token then. A second 401 becomes ``TransportError/unauthorized``.
/// Returning `nil` sends no `Authorization` header.
public struct AuthTokenProvider: Sendable {
    /// Why a token is being asked for.
    public enum Reason: Sendable, Equatable {
        /// Before opening a connection.
        case connect
        /// Before an HTTP request on an open connection.
        case request
        /// The server rejected the previous token (HTTP 401); a fresh one is needed.
        case refresh
    }

    private let provide: @Sendable (Reason) async throws -> String?

    /// - Parameter provide: Returns the current token, or a fresh one for ``Reason/refresh``.
    ///   A thrown error fails the operation with ``TransportError/unauthorized``.
    public init(_ provide: @escaping @Sendable (Reason) async throws -> String?) {
        self.provide = provide
    }

    /// A provider that always returns the same token (or none).
    public static func constant(_ token: String?) -> AuthTokenProvider {
        AuthTokenProvider { _ in token }
    }

    /// Asks for a token.
    ///
    /// - Throws: ``TransportError/unauthorized`` when the provider fails.
    public func token(for reason: Reason) async throws(TransportError) -> String? {
        do { return try await provide(reason) } catch { throw .unauthorized }
    }
}
