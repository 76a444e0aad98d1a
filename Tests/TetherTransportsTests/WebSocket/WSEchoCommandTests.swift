import Foundation
import Testing
import TetherTestSupport

/// `tether ws-echo URL` as a user runs it: the conformance testee (exit 0 on a clean server close, 1 with a
/// one-line reason otherwise, 2 for usage errors).
@Suite(.enabled(
    if: WebSocketTestPeer.isAvailable && FileManager.default.isExecutableFile(atPath: TetherProcess.executable.path),
    "needs the test Python and the built tether executable"
))
struct WSEchoCommandTests {
    @Test func echoesUntilTheServerClosesAndReportsFailures() async throws {
        let peer = try WebSocketTestPeer()
        defer { peer.stop() }
        let url = peer.url
        let fragmented = try await Task.detached { try TetherProcess.run(["ws-echo", "\(url)/case/5.6"], timeout: 30) }.value
        #expect(fragmented.status == 0, "\(fragmented.stderr)")
        let verdict = try await peer.verdict("5.6")
        #expect(verdict.pass, "\(verdict.detail)")

        let invalid = try await Task.detached { try TetherProcess.run(["ws-echo", "\(url)/case/6.3.1"], timeout: 30) }.value
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("1007"))
        #expect(invalid.stderr.split(separator: "\n").count == 1)

        let refused = try await Task.detached { try TetherProcess.run(["ws-echo", "\(url)/case/H.1.3"], timeout: 30) }.value
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("403"))

        let usage = try TetherProcess.run(["ws-echo"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("usage"))
    }
}
