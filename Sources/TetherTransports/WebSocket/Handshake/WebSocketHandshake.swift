/// The RFC 6455 §4 opening handshake from the client side: builds the upgrade request and checks every
/// rule of §4.2.2 / §4.1 on the response (101, `Upgrade`, `Connection`, `Sec-WebSocket-Accept`, no
/// unoffered subprotocol or extension).
struct WebSocketHandshake: Sendable {
    /// The GUID every accept key is derived with (RFC 6455 §1.3).
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// Response headers larger than this fail the handshake rather than growing the buffer.
    static let maxResponseHeaderBytes = 16 << 10

    let endpoint: Endpoint
    /// Base64 of 16 fresh random bytes.
    let key: String
    let subprotocols: [String]
    let headers: [(name: String, value: String)]

    init(
        endpoint: Endpoint,
        subprotocols: [String],
        headers: [(name: String, value: String)],
        key: String = WebSocketHandshake.freshKey()
    ) throws(WebSocketError) {
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(HTTPSyntax.isTokenByte),
                  !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 })
            else { throw .invalidURL("malformed request header \(name)") }
        }
        for proto in subprotocols where proto.isEmpty || !proto.utf8.allSatisfy(HTTPSyntax.isTokenByte) {
            throw .invalidURL("malformed subprotocol \(proto)")
        }
        self.endpoint = endpoint
        self.subprotocols = subprotocols
        self.headers = headers
        self.key = key
    }

    static func freshKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The accept value a server must answer `key` with: base64(SHA-1(key + GUID)).
    static func acceptValue(for key: String) -> String {
        Base64.encode(SHA1.hash(Array((key + guid).utf8)))
    }

    /// The request bytes.
    var request: [UInt8] {
        var text = "GET \(endpoint.resource) HTTP/1.1\r\n"
        text += "Host: \(endpoint.hostHeader)\r\n"
        text += "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if !subprotocols.isEmpty { text += "Sec-WebSocket-Protocol: \(subprotocols.joined(separator: ", "))\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// The validated upgrade response.
    struct Accepted: Sendable, Equatable {
        var subprotocol: String?
        /// Bytes after the header block: the first frames, if the server sent them in the same segment.
        var leftover: [UInt8]
    }

    /// The index just past `\r\n\r\n` in `buffer`, or nil when the header block is incomplete.
    static func headerEnd(in buffer: [UInt8]) -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 3..<buffer.count where buffer[i] == 10 && buffer[i - 1] == 13 && buffer[i - 2] == 10 && buffer[i - 3] == 13 {
            return i + 1
        }
        return nil
    }

    /// Checks a complete response (`buffer` holds at least the header block).
    func validate(response buffer: [UInt8]) throws(WebSocketError) -> Accepted {
        guard let end = Self.headerEnd(in: buffer) else { throw .handshakeFailed(status: nil, reason: "incomplete response") }
        guard let head = String(validating: buffer[..<(end - 4)], as: UTF8.self) else {
            throw .handshakeFailed(status: nil, reason: "response headers are not UTF-8")
        }
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw .handshakeFailed(status: nil, reason: "malformed status line")
        }
        guard status == 101 else { throw .handshakeFailed(status: status, reason: "expected status 101") }
        var fields: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw .handshakeFailed(status: status, reason: "malformed header line")
            }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            fields[name] = fields[name].map { $0 + ", " + value } ?? value
        }
        guard let upgrade = fields["upgrade"], upgrade.lowercased() == "websocket" else {
            throw .handshakeFailed(status: status, reason: "missing Upgrade: websocket")
        }
        guard let connection = fields["connection"],
              Self.tokens(connection).contains(where: { $0.lowercased() == "upgrade" })
        else { throw .handshakeFailed(status: status, reason: "Connection header lacks the Upgrade token") }
        guard fields["sec-websocket-accept"] == Self.acceptValue(for: key) else {
            throw .handshakeFailed(status: status, reason: "wrong or missing Sec-WebSocket-Accept")
        }
        if let extensions = fields["sec-websocket-extensions"], !Self.tokens(extensions).isEmpty {
            throw .handshakeFailed(status: status, reason: "server selected an extension that was not offered: \(extensions)")
        }
        var chosen: String?
        if let proto = fields["sec-websocket-protocol"] {
            let names = Self.tokens(proto)
            guard names.count == 1, subprotocols.contains(names[0]) else {
                throw .handshakeFailed(status: status, reason: "server selected a subprotocol that was not offered: \(proto)")
            }
            chosen = names[0]
        }
        return Accepted(subprotocol: chosen, leftover: Array(buffer[end...]))
    }

    /// Comma-separated list elements, trimmed, empties dropped.
    static func tokens(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }
}
