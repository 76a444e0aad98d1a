import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension HTTPTransportConfiguration {
    /// `{base}/{path}?{query}`, every query name and value percent-encoded except RFC 3986 unreserved
    /// characters (cursor strings contain `=`, `:` and `,`).
    func url(_ path: String, query: [(String, String)]) -> URL {
        var url = baseURL
        for component in path.split(separator: "/") { url.appendPathComponent(String(component)) }
        guard !query.isEmpty, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return url
        }
        components.percentEncodedQuery = query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }
            .joined(separator: "&")
        return components.url ?? url
    }

    /// The query naming the client and its collections, shared by `/v1/events` and `/v1/poll`.
    static func sessionQuery(_ handshake: TransportHandshake) -> [(String, String)] {
        [("client", handshake.clientID)] + handshake.subscriptions.map { ("collection", $0.collection) }
    }

    /// A request with the bearer token and a whole-second timeout (Linux truncates fractions).
    func request(_ url: URL, method: String = "GET", token: String?, timeoutSeconds: Int) -> URLRequest {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = TimeInterval(max(1, timeoutSeconds))
        request.cachePolicy = .reloadIgnoringLocalCacheData
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
    }

    /// The token for a connect or request: the provider's, else the handshake's.
    func token(_ reason: AuthTokenProvider.Reason, handshake: TransportHandshake) async throws(TransportError) -> String? {
        guard let tokenProvider else { return handshake.token }
        return try await tokenProvider.token(for: reason)
    }

    /// A fresh token after a 401, or ``TransportError/unauthorized`` when there is no provider to ask.
    func refreshedToken() async throws(TransportError) -> String? {
        guard let tokenProvider else { throw .unauthorized }
        return try await tokenProvider.token(for: .refresh)
    }

    private static let unreserved: Set<UInt8> = Set(
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    private static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return result
    }
}

extension HTTPURLResponse {
    /// A header value, looked up case-insensitively on every platform.
    func header(_ name: String) -> String? {
        for (key, value) in allHeaderFields {
            if let key = key as? String, key.caseInsensitiveCompare(name) == .orderedSame { return value as? String }
        }
        return nil
    }

    /// `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 10.2.3); `nil` if absent or bad.
    func retryAfterMilliseconds(now: Date = Date()) -> Int? {
        guard let value = header("Retry-After")?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return nil
        }
        if value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let seconds = Int(value) else { return nil }
            return seconds > Int.max / 1000 ? Int.max : seconds * 1000
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, Int((date.timeIntervalSince(now) * 1000).rounded(.up)))
    }
}
