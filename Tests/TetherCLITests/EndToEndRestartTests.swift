import Foundation
import Testing
import TetherTestSupport

extension EndToEndTests {
    /// Crashes and restarts: of the server (same log, or a new epoch) and of the agent itself.
    @Suite struct Restarts {
        /// Every model id an agent was told about by `add` events, with how often.
        static func addCounts(_ agent: Child) -> [String: Int] {
            var counts: [String: Int] = [:]
            for event in agent.events("add") { counts[event["id"] as? String ?? "?", default: 0] += 1 }
            return counts
        }

        @Test(arguments: EndToEndTests.transports)
        func serverKilledMidStreamAndRestartedLosesAndDuplicatesNothing(transport: String) async throws {
            let scratch = try Scratch()
            guard var server = try await EndToEndTests.startServer(database: scratch.url("log.sqlite")) else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: EndToEndTests.seedState(count: 10))
            let agent = try Child(EndToEndTests.agent(
                server, transport: transport, idle: 3, extra: ["--state", scratch.url("agent.json").path]))
            #expect(await agent.wait { !$0.events("synced").isEmpty }, "\(agent.diagnostics)")

            // A burst of writes; the server is SIGKILLed right after the last one is committed,
            // while the agent may still be receiving them.
            for i in 0..<10 {
                try await server.patch("todos", opsJSON: #"[{"op":"add","path":"/w\#(i)","value":{"id":"w\#(i)","n":\#(i)}}]"#)
            }
            server.kill()
            // A write issued while the server is down is delivered once it is back.
            let offlinePatch = scratch.url("offline.json")
            try Data(#"[{"op":"add","path":"/offline","value":{"id":"offline"}}]"#.utf8).write(to: offlinePatch)
            let pusher = try Child(["push", "--server", server.baseURL, "--collection", "todos", "--patch", offlinePatch.path,
                                    "--transport", transport, "--timeout", "45"])
            try await Task.sleep(for: .milliseconds(700))
            server = try await server.restarted()
            for i in 10..<20 {
                try await server.patch("todos", opsJSON: #"[{"op":"add","path":"/w\#(i)","value":{"id":"w\#(i)","n":\#(i)}}]"#)
            }
            #expect(await pusher.exit() == 0, "push while the server was down: \(pusher.diagnostics)")

            #expect(await agent.exit(timeout: .seconds(90)) == 0, "\(agent.diagnostics)")
            let expected = try await EndToEndTests.expectedState(server)
            #expect(agent.finalState == expected)
            let counts = Self.addCounts(agent)
            #expect(counts.count == 31, "every model exactly once: \(counts.keys.sorted())")
            #expect(counts.values.allSatisfy { $0 == 1 }, "a model was added twice: \(counts.filter { $0.value > 1 })")
            #expect(agent.events("remove").isEmpty)
            #expect(!agent.events("reconnecting").isEmpty, "the agent never noticed the crash")
        }

        @Test(arguments: EndToEndTests.transports)
        func newEpochResyncsWithMinimalEvents(transport: String) async throws {
            let scratch = try Scratch()
            guard let server = try await EndToEndTests.startServer() else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: EndToEndTests.seedState(count: 30))
            let statePath = scratch.url("agent.json").path
            let agent = try Child(EndToEndTests.agent(server, transport: transport, idle: 3, extra: ["--state", statePath]))
            #expect(await agent.wait { !$0.events("synced").isEmpty }, "\(agent.diagnostics)")
            let before = agent.events.count

            // The server forgets its history (new epoch, same state), then one model changes.
            try await server.restartWithNewEpoch("epoch-two")
            try await server.patch("todos", opsJSON: #"[{"op":"replace","path":"/m005/title","value":"after the restart"}]"#)

            #expect(await agent.exit(timeout: .seconds(60)) == 0, "\(agent.diagnostics)")
            #expect(agent.finalState == (try await EndToEndTests.expectedState(server)))
            let after = Array(agent.events.dropFirst(before))
            let names = after.compactMap { $0["event"] as? String }
            // The agent now follows the new epoch (its persisted cursor says so).
            let persisted = try String(contentsOfFile: statePath, encoding: .utf8)
            #expect(persisted.contains(#""epoch":"epoch-two""#))
            #expect(!names.contains("add") && !names.contains("remove"), "a resync must not re-add models: \(names)")
            let changes = after.filter { $0["event"] as? String == "change" }
            #expect(changes.count == 1, "only the model that changed: \(changes)")
            #expect(changes.first?["id"] as? String == "m005")
            #expect(after.filter { ($0["event"] as? String)?.hasPrefix("change:") == true }.count == 1)
        }

        @Test(arguments: EndToEndTests.transports)
        func agentRestartResumesFromItsState(transport: String) async throws {
            let scratch = try Scratch()
            guard let server = try await EndToEndTests.startServer() else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: EndToEndTests.seedState(count: 10))
            let statePath = scratch.url("agent.json").path
            let arguments = EndToEndTests.agent(server, transport: transport, idle: 1, extra: ["--state", statePath])
            let first = try Child(arguments)
            #expect(await first.exit() == 0, "\(first.diagnostics)")
            #expect(Self.addCounts(first).count == 10)

            for i in 0..<5 {
                try await server.patch("todos", opsJSON: #"[{"op":"add","path":"/late\#(i)","value":{"id":"late\#(i)"}}]"#)
            }
            try await server.patch("todos", opsJSON: #"[{"op":"remove","path":"/m000"}]"#)
            let second = try Child(arguments)
            #expect(await second.exit() == 0, "\(second.diagnostics)")
            #expect(second.finalState == (try await EndToEndTests.expectedState(server)))
            // The restarted agent is the same replica and resumes from its cursor: it is told only
            // about what changed while it was away (its persisted models come back silently or as adds
            // from the state file, never as a fresh snapshot's remove-and-re-add).
            let lateAdds = Self.addCounts(second).keys.filter { $0.hasPrefix("late") }
            #expect(lateAdds.count == 5)
            #expect(second.events("remove").map { $0["id"] as? String } == ["m000"])
            #expect(Self.addCounts(second).values.allSatisfy { $0 == 1 })
        }

        @Test(arguments: EndToEndTests.transports)
        func agentRestartedWithACurrentCursorSyncsWithoutEvents(transport: String) async throws {
            let scratch = try Scratch()
            guard let server = try await EndToEndTests.startServer() else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: EndToEndTests.seedState(count: 4))
            let arguments = EndToEndTests.agent(
                server, transport: transport, idle: 1, extra: ["--state", scratch.url("agent.json").path])
            let first = try Child(arguments)
            #expect(await first.exit() == 0, "\(first.diagnostics)")
            do {
                // Nothing changed while it was away: it reconnects, is told it is current, and exits.
                let second = try Child(arguments)
                #expect(await second.exit() == 0, "\(second.diagnostics)")
                #expect(second.finalState == first.finalState)
                #expect(!second.events("synced").isEmpty)
                #expect(second.events("remove").isEmpty && second.events("change").isEmpty)
            }
        }

        @Test func agentWithoutUntilIdleRunsUntilSIGTERMAndSavesItsState() async throws {
            let scratch = try Scratch()
            guard let server = try await EndToEndTests.startServer() else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: EndToEndTests.seedState(count: 3))
            let statePath = scratch.url("agent.json").path
            let agent = try Child(["agent", "--server", server.baseURL, "--collection", "todos", "--events",
                                   "--state", statePath, "--client-id", "runner-1"])
            #expect(await agent.wait { !$0.events("synced").isEmpty }, "\(agent.diagnostics)")
            try await server.patch("todos", opsJSON: #"[{"op":"add","path":"/live","value":{"id":"live"}}]"#)
            #expect(await agent.wait { !$0.events("add", id: "live").isEmpty }, "\(agent.diagnostics)")
            #expect(agent.isRunning, "without --until-idle the agent keeps running")
            agent.terminate()
            #expect(await agent.exit(timeout: .seconds(20)) == 0, "\(agent.diagnostics)")
            #expect(agent.finalState == nil, "no final state without --until-idle")
            let saved = try String(contentsOfFile: statePath, encoding: .utf8)
            #expect(saved.contains(#""client":"runner-1""#) && saved.contains(#""live":{"id":"live"}"#), "\(saved)")
        }

        /// Deterministic form of the lost-tail case: the connection's second patch is the one lost and
        /// nothing is written after it, so only the heartbeat's cursor (PROTOCOL.md 6.1) can reveal it.
        @Test(arguments: EndToEndTests.transports)
        func aLostFinalFrameIsRepairedByTheNextHeartbeat(transport: String) async throws {
            guard let server = try await EndToEndTests.startServer(
                arguments: ["--heartbeat", "1000", "--faults", "lose_every=2"]) else { return }
            defer { server.kill() }
            let agent = try Child(EndToEndTests.agent(server, transport: transport, idle: 3))
            #expect(await agent.wait { !$0.events("synced").isEmpty }, "\(agent.diagnostics)")
            for i in 0..<2 {
                try await server.patch("todos", opsJSON: #"[{"op":"add","path":"/t\#(i)","value":{"id":"t\#(i)"}}]"#)
            }
            let status = await agent.exit(timeout: .seconds(60))
            #expect(status == 0, "\(agent.diagnostics)")
            #expect(agent.finalState == (try await EndToEndTests.expectedState(server)))
            #expect(Self.addCounts(agent) == ["t0": 1, "t1": 1], "\(agent.diagnostics)")
            if transport != "longpoll" {
                // The stream lost its last frame: a gap found by the heartbeat, never by a later patch.
                let gaps = agent.events("resync").filter { $0["reason"] as? String == "gap" }
                #expect(gaps.count == 1, "\(agent.diagnostics)")
            }
        }

        @Test(arguments: EndToEndTests.transports)
        func duplicatedAndLostFramesAreAbsorbed(transport: String) async throws {
            // Heartbeats carry the stream position (PROTOCOL.md 6.1): when the lost frame is the last
            // one before a quiet period, the next heartbeat reveals it. It is due one heartbeat (1 s)
            // after the last frame, well inside the agent's 3 quiet seconds, so the agent cannot go
            // idle before the repair could arrive (the resync and its catch-up are activity again).
            guard let server = try await EndToEndTests.startServer(
                arguments: ["--heartbeat", "1000", "--faults", "duplicate_every=3,lose_every=4"]) else { return }
            defer { server.kill() }
            let agent = try Child(EndToEndTests.agent(server, transport: transport, idle: 3))
            #expect(await agent.wait { !$0.events("synced").isEmpty }, "\(agent.diagnostics)")
            for i in 0..<20 {
                try await server.patch("todos", opsJSON: #"[{"op":"add","path":"/f\#(i)","value":{"id":"f\#(i)","n":\#(i)}}]"#)
            }
            let status = await agent.exit(timeout: .seconds(60))
            let expected = try await EndToEndTests.expectedState(server)
            let counts = Self.addCounts(agent)
            #expect(status == 0, "\(agent.diagnostics)")
            #expect(agent.finalState == expected)
            #expect(counts.count == 20 && counts.values.allSatisfy { $0 == 1 }, "\(counts)")
            if transport != "longpoll" {
                // On streams a lost frame is a gap the binder must repair; a long poll's next request
                // names the cursor of what it delivered, so the server simply sends the lost frame again.
                #expect(!agent.events("resync").isEmpty, "lost frames must have caused a resync")
            }
        }
    }
}
