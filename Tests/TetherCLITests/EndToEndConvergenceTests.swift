import Foundation
import Testing
import TetherTestSupport

extension EndToEndTests {
    /// Agents on every transport mirror the same server stream to byte-identical state.
    @Suite struct Convergence {
        @Test func agentsOnEveryTransportConvergeToTheServerState() async throws {
            guard let server = try await EndToEndTests.startServer() else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: EndToEndTests.seedState(count: 20))

            let agents = try (EndToEndTests.transports + ["auto"]).map { transport in
                try Child(EndToEndTests.agent(server, transport: transport, idle: 2))
            }
            for agent in agents {
                let synced = await agent.wait { !$0.events("synced").isEmpty }
                #expect(synced, "\(agent.arguments) never synced: \(agent.diagnostics)")
            }
            // Live changes after the initial sync: changes, removes, adds, nested values, each its own patch.
            for i in 0..<5 {
                try await server.patch("todos", opsJSON: #"[{"op":"replace","path":"/m00\#(i)/title","value":"changed \#(i)"}]"#)
            }
            try await server.patch("todos", opsJSON: #"[{"op":"remove","path":"/m010"},{"op":"remove","path":"/m011"}]"#)
            for i in 0..<5 {
                try await server.patch(
                    "todos", opsJSON: #"[{"op":"add","path":"/n\#(i)","value":{"id":"n\#(i)","tags":["a","b"],"meta":{"depth":{"x":\#(i)}}}}]"#)
            }
            try await server.patch("todos", opsJSON: #"[{"op":"add","path":"/n0/tags/1","value":"inserted"}]"#)

            let expected = try await EndToEndTests.expectedState(server)
            for agent in agents {
                let status = await agent.exit(timeout: .seconds(60))
                #expect(status == 0, "\(agent.arguments): \(agent.diagnostics)")
                #expect(agent.finalState == expected, "\(agent.arguments)")
                // Every model arrived once: 20 seeded + 5 new, two removed; nothing re-added.
                #expect(agent.events("add").count == 25, "\(agent.arguments)")
                #expect(agent.events("remove").count == 2, "\(agent.arguments)")
                #expect(agent.events("change:title").count == 5, "\(agent.arguments)")
            }
            #expect(expected.contains(#""tags":["a","inserted","b"]"#))
        }

        @Test func writesFromOneTransportReachAgentsOnTheOthers() async throws {
            guard let server = try await EndToEndTests.startServer() else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: EndToEndTests.seedState(count: 3))
            let agents = try EndToEndTests.transports.map { transport in
                try Child(EndToEndTests.agent(server, transport: transport, idle: 3))
            }
            for agent in agents {
                #expect(await agent.wait { !$0.events("synced").isEmpty }, "\(agent.arguments): \(agent.diagnostics)")
            }
            for transport in EndToEndTests.transports {
                let id = "from-\(transport)"
                let result = try await EndToEndTests.push(
                    server, transport: transport,
                    patch: #"[{"op":"add","path":"/\#(id)","value":{"id":"\#(id)","by":"\#(transport)"}},{"op":"replace","path":"/m000/title","value":"\#(id)"}]"#)
                #expect(result.status == 0, "push over \(transport): \(result.stderr)")
                // One patch over two models is one mutation.
                #expect(result.stdout.contains(#""mutations":[1]"#), "\(result.stdout)")
            }
            for agent in agents {
                for transport in EndToEndTests.transports {
                    let seen = await agent.wait(timeout: .seconds(20)) { !$0.events("add", id: "from-\(transport)").isEmpty }
                    #expect(seen, "\(agent.arguments) did not see the write pushed over \(transport)")
                }
            }
            let expected = try await EndToEndTests.expectedState(server)
            for agent in agents {
                #expect(await agent.exit() == 0, "\(agent.diagnostics)")
                #expect(agent.finalState == expected)
            }
            #expect(expected.contains(#""title":"from-\#(EndToEndTests.transports.last!)""#))
        }

        @Test func concurrentWritersConverge() async throws {
            guard let server = try await EndToEndTests.startServer() else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: #"{"shared":{"id":"shared","title":"start"}}"#)
            let agents = try EndToEndTests.transports.map { transport in
                try Child(EndToEndTests.agent(server, transport: transport, idle: 3))
            }
            for agent in agents {
                #expect(await agent.wait { !$0.events("synced").isEmpty }, "\(agent.diagnostics)")
            }
            // Six writers at once, alternating transports: each sets its own attribute of one model,
            // fights over one shared attribute, and adds its own model.
            let writers = 6
            let results = try await withThrowingTaskGroup(of: (Int, Int32, String).self) { group in
                for i in 0..<writers {
                    let transport = EndToEndTests.transports[i % EndToEndTests.transports.count]
                    group.addTask {
                        let patch = #"[{"op":"add","path":"/shared/w\#(i)","value":\#(i)},{"op":"add","path":"/shared/winner","value":"w\#(i)"},{"op":"add","path":"/own-\#(i)","value":{"id":"own-\#(i)","by":\#(i)}}]"#
                        let result = try await EndToEndTests.push(server, transport: transport, patch: patch)
                        return (i, result.status, result.stderr)
                    }
                }
                var all: [(Int, Int32, String)] = []
                for try await result in group { all.append(result) }
                return all
            }
            for (i, status, stderr) in results { #expect(status == 0, "writer \(i): \(stderr)") }

            let expected = try await EndToEndTests.expectedState(server)
            for i in 0..<writers {
                #expect(expected.contains(#""w\#(i)":\#(i)"#), "writer \(i)'s attribute was lost: \(expected)")
                #expect(expected.contains(#""own-\#(i)":{"by":\#(i),"id":"own-\#(i)"}"#))
            }
            #expect((0..<writers).contains { expected.contains(#""winner":"w\#($0)""#) })
            var finals: [String] = []
            for agent in agents {
                #expect(await agent.exit() == 0, "\(agent.diagnostics)")
                #expect(agent.finalState == expected, "\(agent.arguments)")
                finals.append(agent.finalState ?? "")
            }
            #expect(Set(finals).count == 1)
        }
    }
}
