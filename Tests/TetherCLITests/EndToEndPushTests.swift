import Foundation
import Testing
import TetherTestSupport

extension EndToEndTests {
    /// `tether push` outcomes against a real server: acknowledged, rejected, not applicable, resumed.
    @Suite struct Push {
        @Test(arguments: EndToEndTests.transports)
        func rejectedMutationExitsOneWithTheServersReason(transport: String) async throws {
            guard let server = try await EndToEndTests.startServer() else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: #"{"a":{"id":"a"}}"#)
            let before = try await server.state("todos")
            // 10,001 ops on distinct attributes normalize to 10,001 writes in one mutation: over the
            // server's limit of 10,000 ops per mutation (PROTOCOL.md section 8), so `too-large`.
            let ops = (0...10_000).map { #"{"op":"add","path":"/a/k\#($0)","value":0}"# }.joined(separator: ",")
            let patch = "[\(ops)]"
            let result = try await EndToEndTests.push(server, transport: transport, patch: patch)
            #expect(result.status == 1)
            #expect(result.stderr.contains("rejected: too-large"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(try await server.state("todos") == before)
        }

        @Test func patchThatDoesNotApplyToTheServerStateExitsOne() async throws {
            guard let server = try await EndToEndTests.startServer() else { return }
            defer { server.kill() }
            try await server.seed("todos", stateJSON: EndToEndTests.seedState(count: 2))
            let before = try await server.state("todos")
            for (patch, reason) in [
                (#"[{"op":"test","path":"/m000/title","value":"something else"}]"#, "test failed"),
                (#"[{"op":"replace","path":"/missing/title","value":1}]"#, "does not apply"),
                (#"[{"op":"add","path":"/m009","value":"not an object"}]"#, "must be a JSON object"),
                (#"[{"op":"add","path":"/m009","value":{"id":"other"}}]"#, "id must equal its key"),
                (#"[{"op":"replace","path":"/m001/id","value":"m777"}]"#, "id must equal its key"),
            ] {
                let result = try await EndToEndTests.push(server, transport: "sse", patch: patch)
                #expect(result.status == 1, "\(patch)")
                #expect(result.stderr.contains(reason), "\(patch): \(result.stderr)")
            }
            #expect(try await server.state("todos") == before)
        }

        @Test(arguments: EndToEndTests.transports)
        func pushesWithOneStateFileContinueTheMutationCounter(transport: String) async throws {
            let scratch = try Scratch()
            guard let server = try await EndToEndTests.startServer() else { return }
            defer { server.kill() }
            let extra = ["--state", scratch.url("pusher.json").path, "--client-id", "pusher-1", "--timeout", "15"]
            do {
                for i in 0..<2 {
                    // The second push resumes with a cursor that is already current.
                    let result = try await EndToEndTests.push(
                        server, transport: transport, patch: #"[{"op":"add","path":"/p\#(i)","value":{"id":"p\#(i)"}}]"#, extra: extra)
                    #expect(result.status == 0, "\(result.stderr)")
                    // The same replica: mutation ids continue, so the server applies each push (no dedup).
                    #expect(result.stdout.contains(#""mutations":[\#(i + 1)]"#), "\(result.stdout)")
                }
                let state = try await server.state("todos")
                #expect(state == #"{"p0":{"id":"p0"},"p1":{"id":"p1"}}"#)
            }
        }

        @Test(arguments: EndToEndTests.transports)
        func tokenIsSentOnEveryTransport(transport: String) async throws {
            guard let server = try await EndToEndTests.startServer(arguments: ["--heartbeat", "2000", "--token", "s3cret"]) else { return }
            defer { server.kill() }
            let patch = #"[{"op":"add","path":"/a","value":{"id":"a"}}]"#
            let denied = try await EndToEndTests.push(server, transport: transport, patch: patch, extra: ["--timeout", "20"])
            #expect(denied.status == 1, "\(denied.stderr)")
            #expect(denied.stderr.contains("unauthorized") || denied.stderr.contains("401"), "\(denied.stderr)")
            let allowed = try await EndToEndTests.push(server, transport: transport, patch: patch, extra: ["--token", "s3cret"])
            #expect(allowed.status == 0, "\(allowed.stderr)")
            let agent = try Child(EndToEndTests.agent(server, transport: transport, idle: 1, extra: ["--token", "s3cret"]))
            #expect(await agent.exit() == 0, "\(agent.diagnostics)")
            #expect(agent.finalState == #"{"todos":{"a":{"id":"a"}}}"#)
        }
    }
}
