import Foundation
import TetherTestSupport
import TetherTransports
import Testing

/// `https://` for the HTTP transports through the socket client and the dynamically loaded OpenSSL,
/// against `http_peer.py --cert --key` with a throwaway CA made by the `openssl` CLI for each run.
@Suite(.enabled(if: FixturePaths.python != nil && OpenSSLCLI.path != nil, "needs the test Python and the openssl CLI"))
struct HTTPSClientTests {
    func configuration(_ peer: HTTPTestPeer, _ options: String, host: String, caFile: String?) -> HTTPTransportConfiguration {
        HTTPTransportConfiguration(
            baseURL: peer.baseURL(options, host: host), backend: .sockets, connectTimeout: .seconds(10),
            tls: TLSOptions(caFile: caFile))
    }

    func startPeer(_ certificates: WebSocketTLSTests.Certificates) throws -> HTTPTestPeer? {
        try HTTPTestPeer.start(arguments: ["--cert", certificates.certificate, "--key", certificates.key])
    }

    @Test func sseAndLongPollingVerifyTheServerAgainstTheGivenCA() async throws {
        let certificates = try WebSocketTLSTests.Certificates()
        defer { certificates.remove() }

        // Host name verification and SNI (localhost), then IP-address verification (127.0.0.1).
        for host in ["localhost", "127.0.0.1"] {
            let streamPeer = try #require(try startPeer(certificates))
            defer { streamPeer.stop() }
            let sse = ServerSentEventsTransport(configuration: configuration(streamPeer, "chunked", host: host, caFile: certificates.caFile))
            let stream = InboundRecorder(try await sse.connect(todosHandshake()))
            #expect(await stream.waitForFinish(timeout: .seconds(10)))
            #expect(stream.frames.count == 61, "\(host): welcome + 60 frames")
            #expect(stream.closeReason?.code == "server-closed")

            let pollPeer = try #require(try startPeer(certificates))
            defer { pollPeer.stop() }
            let polling = LongPollingTransport(
                configuration: configuration(pollPeer, "seed3", host: host, caFile: certificates.caFile), waitSeconds: 5)
            let connection = try await polling.connect(todosHandshake())
            let polls = InboundRecorder(connection)
            #expect(await polls.wait(timeout: .seconds(10)) { $0.patchSeqs == [1, 2, 3] }, "\(host)")
            try await connection.send(mutateFrames(1...2))
            #expect(await polls.wait(timeout: .seconds(10)) { $0.patchSeqs == [1, 2, 3, 4, 5] }, "\(host): POSTed frames come back")
            await connection.close()
        }
    }

    @Test func anUntrustedServerIsRefused() async throws {
        let certificates = try WebSocketTLSTests.Certificates()
        defer { certificates.remove() }
        let peer = try #require(try HTTPTestPeer.start(arguments: ["--cert", certificates.certificate, "--key", certificates.key]))
        defer { peer.stop() }
        let sse = ServerSentEventsTransport(configuration: configuration(peer, "chunked", host: "localhost", caFile: nil))
        do {
            _ = try await sse.connect(todosHandshake())
            Issue.record("connected to a server signed by an unknown CA")
        } catch {
            guard case .connectionFailed(let detail) = error else {
                Issue.record("expected connectionFailed, got \(error)")
                return
            }
            #expect(detail.contains("TLS handshake failed"), "\(detail)")
        }
    }
}
