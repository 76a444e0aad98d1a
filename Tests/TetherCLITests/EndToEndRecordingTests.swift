import Foundation
import Testing
import TetherTestSupport

extension EndToEndTests {
    /// `tether agent --record` writes a transcript that `tether replay` reproduces offline.
    @Suite struct Recording {
        @Test(arguments: EndToEndTests.transports)
        func recordedSessionReplaysToTheSameState(transport: String) async throws {
            let scratch = try Scratch()
            // No heartbeats: a ping that lands as the agent exits gets its pong cut off by the shutdown, and
            // the transcript (which records frames once sent) then lacks the pong a replay sends.
            guard let server = try await EndToEndTests.startServer(arguments: ["--heartbeat", "60000"]) else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: EndToEndTests.seedState(count: 5))
            let transcript = scratch.url("session.jsonl")
            let agent = try Child(EndToEndTests.agent(server, transport: transport, idle: 2, extra: ["--record", transcript.path]))
            #expect(await agent.wait { !$0.events("synced").isEmpty }, "\(agent.diagnostics)")
            try await server.patch("todos", opsJSON: #"[{"op":"replace","path":"/m001/title","value":"recorded"}]"#)
            try await server.patch("todos", opsJSON: #"[{"op":"remove","path":"/m002"}]"#)
            #expect(await agent.exit() == 0, "\(agent.diagnostics)")
            let live = try #require(agent.finalState)

            let lines = try String(contentsOf: transcript, encoding: .utf8).split(separator: "\n")
            #expect(lines.first?.contains(#""kind":"session""#) == true)
            #expect(lines.contains { $0.contains(#""kind":"connect""#) })
            #expect(lines.contains { $0.contains(#""type":"snapshot""#) })

            let replay = try TetherProcess.run(["replay", transcript.path], timeout: 60)
            #expect(replay.status == 0, "replay diverged: \(replay.stderr)")
            let replayed = try #require(
                try JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as? [String: Any], "\(replay.stdout)")
            let liveState = try #require(try JSONSerialization.jsonObject(with: Data(live.utf8)) as? NSDictionary)
            #expect((replayed["state"] as? NSDictionary) == liveState, "replayed \(replay.stdout) vs live \(live)")
        }
    }
}
