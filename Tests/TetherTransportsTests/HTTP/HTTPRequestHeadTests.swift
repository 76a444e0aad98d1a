import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import TetherTransports
import Testing

/// What the socket client writes for a `URLRequest`.
@Suite struct HTTPRequestHeadTests {
    func text(_ head: HTTPRequestHead) -> String { String(decoding: head.bytes, as: UTF8.self) }

    @Test func requestLineHostAndFraming() throws {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:8080/base/v1/send?client=c%3D1&x=%2C")))
        request.httpMethod = "POST"
        request.setValue("Bearer t", forHTTPHeaderField: "Authorization")
        request.httpBody = Data("[1]".utf8)
        let head = try HTTPRequestHead(request)
        #expect(head.endpoint == Endpoint(secure: false, host: "127.0.0.1", port: 8080, resource: "/base/v1/send?client=c%3D1&x=%2C"))
        let lines = text(head).components(separatedBy: "\r\n")
        #expect(lines.first == "POST /base/v1/send?client=c%3D1&x=%2C HTTP/1.1")
        #expect(lines.contains("Host: 127.0.0.1:8080"))
        #expect(lines.contains("Authorization: Bearer t"))
        #expect(lines.contains("Content-Length: 3"))
        #expect(lines.contains("Connection: close"))
        #expect(text(head).hasSuffix("\r\n\r\n[1]"))
    }

    @Test func defaultPortsAndIPv6Literals() throws {
        let https = try HTTPRequestHead(URLRequest(url: try #require(URL(string: "https://example.com/v1/events"))))
        #expect(https.endpoint.secure && https.endpoint.port == 443 && https.endpoint.host == "example.com")
        #expect(text(https).contains("Host: example.com\r\n"))
        let v6 = try HTTPRequestHead(URLRequest(url: try #require(URL(string: "http://[::1]:9000"))))
        #expect(v6.endpoint.host == "::1")
        #expect(v6.endpoint.resource == "/")
        #expect(text(v6).contains("Host: [::1]:9000\r\n"))
        #expect(!text(v6).contains("Content-Length"), "a GET without a body has no Content-Length")
    }

    @Test func unusableRequestsAreRejected() throws {
        #expect(throws: HTTPClientError.self) { try HTTPRequestHead(URLRequest(url: URL(fileURLWithPath: "/tmp/x"))) }
        var injected = URLRequest(url: try #require(URL(string: "http://127.0.0.1/")))
        injected.setValue("a\r\nX-Evil: 1", forHTTPHeaderField: "X-Token")
        // Foundation may drop such a field itself; either way no injected line reaches the wire.
        if let head = try? HTTPRequestHead(injected) { #expect(!text(head).contains("X-Evil")) }
    }
}
