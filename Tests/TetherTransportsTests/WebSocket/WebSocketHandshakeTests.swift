import Testing
@testable import TetherTransports

@Suite struct WebSocketHandshakeTests {
    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
    ])
    func sha1KnownVectors(input: String, digest: String) {
        #expect(Self.hex(SHA1.hash(Array(input.utf8))) == digest)
    }

    @Test func sha1MillionAAndBlockBoundaries() {
        #expect(Self.hex(SHA1.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
            == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        // Incremental updates in uneven pieces give the same digest as one update (55/56/64-byte padding edges).
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var sha = SHA1()
            sha.update(bytes.prefix(length / 3))
            sha.update(bytes.dropFirst(length / 3))
            #expect(sha.finalize() == SHA1.hash(bytes), "length \(length)")
        }
    }

    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func base64RFC4648Vectors(input: String, encoded: String) {
        #expect(Base64.encode(Array(input.utf8)) == encoded)
    }

    @Test func acceptValueMatchesRFC6455Example() {
        #expect(WebSocketHandshake.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func keysAreFresh16ByteBase64() {
        let keys = (0..<50).map { _ in WebSocketHandshake.freshKey() }
        #expect(Set(keys).count == keys.count)
        #expect(keys.allSatisfy { $0.count == 24 && $0.hasSuffix("==") })
    }

    @Test func endpointParsing() throws {
        let plain = try Endpoint(parsingWebSocketURL: "ws://example.com/chat?x=1")
        #expect(plain == Endpoint(secure: false, host: "example.com", port: 80, resource: "/chat?x=1"))
        #expect(plain.hostHeader == "example.com")
        let secure = try Endpoint(parsingWebSocketURL: "WSS://[::1]:8443")
        #expect(secure == Endpoint(secure: true, host: "::1", port: 8443, resource: "/"))
        #expect(secure.hostHeader == "[::1]:8443")
        #expect(secure.hostIsIPLiteral)
        #expect(try Endpoint(parsingWebSocketURL: "ws://127.0.0.1:9?q").resource == "/?q")
        #expect(try Endpoint(parsingWebSocketURL: "ws://127.0.0.1:9").hostIsIPLiteral)
        for bad in ["http://x/", "ws://", "ws://x:0/", "ws://x:70000/", "ws://x/#frag", "ws://u@x/", "example.com", "ws://x/a b"] {
            #expect(throws: WebSocketError.self, "\(bad)") { try Endpoint(parsingWebSocketURL: bad) }
        }
    }

    private func handshake(subprotocols: [String] = []) throws -> WebSocketHandshake {
        try WebSocketHandshake(
            endpoint: Endpoint(secure: false, host: "h", port: 8080, resource: "/v1/ws"),
            subprotocols: subprotocols, headers: [(name: "Authorization", value: "Bearer t")], key: "dGhlIHNhbXBsZSBub25jZQ=="
        )
    }

    private func response(_ lines: [String], trailing: [UInt8] = []) -> [UInt8] {
        Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + trailing
    }

    @Test func requestHasTheRequiredFields() throws {
        let text = String(decoding: try handshake(subprotocols: ["a", "b"]).request, as: UTF8.self)
        #expect(text.hasPrefix("GET /v1/ws HTTP/1.1\r\nHost: h:8080\r\n"))
        for line in ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                     "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: a, b", "Authorization: Bearer t"] {
            #expect(text.contains("\r\n" + line + "\r\n"), "\(line)")
        }
        #expect(text.hasSuffix("\r\n\r\n"))
        #expect(throws: WebSocketError.self) {
            try WebSocketHandshake(endpoint: Endpoint(secure: false, host: "h", port: 80, resource: "/"),
                                   subprotocols: [], headers: [(name: "X", value: "a\r\nInjected: 1")])
        }
    }

    @Test func responseValidation() throws {
        let accept = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        let ok = try handshake().validate(response: response(
            ["HTTP/1.1 101 Switching Protocols", "upgrade: WEBSOCKET", "connection: keep-alive, upgrade", accept], trailing: [0x81, 0x00]
        ))
        #expect(ok.leftover == [0x81, 0x00])
        #expect(ok.subprotocol == nil)
        let chosen = try handshake(subprotocols: ["x", "y"]).validate(response: response(
            ["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: Upgrade", accept, "Sec-WebSocket-Protocol: y"]
        ))
        #expect(chosen.subprotocol == "y")
        let failing: [[String]] = [
            ["HTTP/1.1 200 OK", "Upgrade: websocket", "Connection: Upgrade", accept],
            ["HTTP/1.1 101 OK", "Connection: Upgrade", accept],
            ["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: close", accept],
            ["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: Upgrade"],
            ["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: AAAA"],
            ["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: Upgrade", accept, "Sec-WebSocket-Protocol: chat"],
            ["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: Upgrade", accept, "Sec-WebSocket-Extensions: permessage-deflate"],
            ["garbage"],
        ]
        for lines in failing {
            #expect(throws: WebSocketError.self, "\(lines)") { try handshake().validate(response: response(lines)) }
        }
    }
}
