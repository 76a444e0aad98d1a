import Foundation
import Testing
import TetherTestSupport
import TetherTransports

/// The client against the strict peer (Tests/peers/ws_peer.py): P0 and H/M/C/L cases of
/// ../shared/reference/websocket-client-cases.md plus the 132 UTF-8 vectors (P2 6.5-6.23).
///
/// Each case is checked twice: the peer's verdict on what the client *sent* (echoes, pongs, close codes,
/// masking, nothing after close) and this side's view of how the connection ended.
@Suite(.enabled(if: WebSocketTestPeer.isAvailable, WebSocketTestPeer.skipMessage))
struct WebSocketConformanceTests {
    enum Expectation: Sendable, Equatable {
        /// The server closes with this code after the exchange; the client echoes it.
        case serverClose(UInt16)
        /// The client fails the connection with this code.
        case clientFails(UInt16)
        /// `connect` throws a handshake error.
        case connectFails
        /// The TCP connection drops: 1006.
        case dropped
    }

    static func range(_ prefix: String, _ numbers: ClosedRange<Int>) -> [String] { numbers.map { "\(prefix).\($0)" } }

    static let expectations: [(String, Expectation)] = {
        var table: [(String, Expectation)] = []
        let echoes = range("1.1", 1...8) + range("1.2", 1...8)
            + ["2.1", "2.2", "2.3", "2.4", "2.6", "2.7", "2.8", "2.9"]
            + range("5", 3...8) + ["5.19", "6.1.1", "6.1.2", "6.1.3", "6.2.2", "6.2.3"]
            + range("7.1", 1...5) + ["7.3.3", "7.3.4", "7.3.5", "M.2", "L.3", "C.2"]
            + ["H.3.3", "H.3.4", "H.4.3", "H.4.4", "H.5.3", "H.7.1", "H.7.2", "H.8"]
        table += echoes.map { ($0, .serverClose(1000)) }
        table.append(("7.3.1", .serverClose(1005)))
        let validCodes: [UInt16] = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
        table += validCodes.enumerated().map { ("7.7.\($0.offset + 1)", .serverClose($0.element)) }
        table += [("C.4.1", .serverClose(1012)), ("C.4.2", .serverClose(1013)), ("C.4.3", .serverClose(1014))]
        let protocolErrors = ["2.5", "3.1", "3.2", "3.5", "3.6", "3.7", "4.1.1", "4.1.3", "4.2.1", "4.2.3",
                              "5.1", "5.2", "5.9", "5.12", "5.18", "7.3.2", "7.3.6", "C.4.4", "M.1", "L.1"] + range("7.9", 1...9)
        table += protocolErrors.map { ($0, .clientFails(1002)) }
        table += ["6.3.1", "6.3.2", "6.4.1", "7.5.1"].map { ($0, .clientFails(1007)) }
        table += ["L.2.1", "L.2.2", "L.2.3"].map { ($0, .clientFails(1009)) }
        let badHandshakes = ["H.1.1", "H.1.2", "H.1.3", "H.2.1", "H.2.2", "H.3.1", "H.3.2", "H.4.1", "H.4.2", "H.5.1", "H.5.2", "H.6.1"]
        table += badHandshakes.map { ($0, .connectFails) }
        table.append(("C.3", .dropped))
        return table
    }()

    static func options(for id: String) -> WebSocketOptions {
        var options = WebSocketOptions(maxMessageSize: 1 << 20, connectTimeout: .seconds(5), closeTimeout: .seconds(1))
        if id == "H.5.2" || id == "H.5.3" { options.subprotocols = ["tether.v1"] }
        return options
    }

    /// Runs one case as the echo testee and returns a description of every mismatch (empty: passed).
    static func check(_ id: String, _ expectation: Expectation, peer: WebSocketTestPeer) async -> [String] {
        var problems: [String] = []
        let outcome = await withDeadline(30) { await runEchoTestee("\(peer.url)/case/\(id)", options: options(for: id)) }
        switch (outcome, expectation) {
        case (nil, _):
            problems.append("did not finish within 30 s")
        case (.failure(let error)?, .connectFails):
            guard case .handshakeFailed = error else {
                problems.append("expected a handshake error, got \(error)")
                break
            }
        case (.failure(let error)?, _):
            problems.append("connect failed: \(error)")
        case (.success(let info)?, .connectFails):
            problems.append("connected although the handshake was invalid (closed with \(info.code))")
        case (.success(let info)?, .serverClose(let code)):
            if info.code != code || info.initiator != .server { problems.append("ended with \(info.code) [\(info.initiator)], expected \(code) from the server") }
        case (.success(let info)?, .clientFails(let code)):
            if info.code != code || info.initiator != .protocolFailure { problems.append("ended with \(info.code) [\(info.initiator)], expected to fail with \(code)") }
        case (.success(let info)?, .dropped):
            if info.code != 1006 || info.initiator != .transport { problems.append("ended with \(info.code) [\(info.initiator)], expected 1006") }
        }
        do {
            let verdict = try await peer.verdict(id)
            if !verdict.pass { problems.append("peer: \(verdict.detail)") }
        } catch {
            problems.append("no verdict: \(error)")
        }
        return problems
    }

    /// Runs `cases` eight at a time against one peer.
    static func runAll(_ cases: [(String, Expectation)], peer: WebSocketTestPeer) async -> [String: [String]] {
        var failures: [String: [String]] = [:]
        var index = 0
        while index < cases.count {
            let slice = cases[index..<min(index + 8, cases.count)]
            index += 8
            await withTaskGroup(of: (String, [String]).self) { group in
                for (id, expectation) in slice {
                    group.addTask { (id, await check(id, expectation, peer: peer)) }
                }
                for await (id, problems) in group where !problems.isEmpty { failures[id] = problems }
            }
        }
        return failures
    }

    @Test func p0AndClientChecks() async throws {
        let peer = try WebSocketTestPeer()
        defer { peer.stop() }
        let failures = await Self.runAll(Self.expectations, peer: peer)
        for (id, problems) in failures.sorted(by: { $0.key < $1.key }) {
            Issue.record("case \(id): \(problems.joined(separator: "; "))")
        }
        #expect(failures.isEmpty, "\(Self.expectations.count - failures.count)/\(Self.expectations.count) cases passed")
    }

    @Test func utf8VectorsAsTextMessages() async throws {
        let peer = try WebSocketTestPeer()
        defer { peer.stop() }
        let vectors = try UTF8ValidatorTests.vectors()
        let cases = vectors.map { ($0.id, $0.valid ? Expectation.serverClose(1000) : .clientFails(1007)) }
        let failures = await Self.runAll(cases, peer: peer)
        for (id, problems) in failures.sorted(by: { $0.key < $1.key }) {
            Issue.record("vector \(id): \(problems.joined(separator: "; "))")
        }
        #expect(vectors.count == 132)
        #expect(failures.isEmpty)
    }

    /// C.1: the client starts the close handshake; it waits for the server to close TCP (2 s here).
    @Test func clientInitiatedCloseWaitsForTheServer() async throws {
        let peer = try WebSocketTestPeer()
        defer { peer.stop() }
        let client = try await WebSocketClient.connect(
            to: "\(peer.url)/case/C.1", options: WebSocketOptions(connectTimeout: .seconds(5), closeTimeout: .seconds(5))
        )
        try await client.send(text: "bye soon")
        let start = ContinuousClock.now
        await client.close(code: 1000, reason: "done")
        let elapsed = ContinuousClock.now - start
        #expect(client.closeInfo == WebSocketCloseInfo(code: 1000, reason: "", initiator: .client, wasClean: true))
        #expect(elapsed >= .milliseconds(1500) && elapsed < .seconds(10), "close took \(elapsed)")
        await #expect(throws: WebSocketError.closed) { try await client.send(text: "too late") }
        let verdict = try await peer.verdict("C.1")
        #expect(verdict.pass, "\(verdict.detail)")
    }

    /// The peer must be able to fail: a client that does not echo gets a failing verdict.
    @Test func peerRejectsAClientThatDoesNotEcho() async throws {
        let peer = try WebSocketTestPeer()
        defer { peer.stop() }
        let client = try await WebSocketClient.connect(to: "\(peer.url)/case/1.1.2", options: WebSocketOptions(closeTimeout: .seconds(1)))
        _ = await withDeadline(10) { for await _ in client.messages {} }
        let verdict = try await peer.verdict("1.1.2")
        #expect(!verdict.pass)
        #expect(verdict.detail.contains("echo"))
    }
}
