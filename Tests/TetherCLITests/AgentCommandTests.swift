import Foundation
import Testing
import TetherTestSupport

/// `tether agent` and `tether push` argument handling: every usage or input error exits 2 with a
/// message naming the problem, before any connection is made.
struct AgentCommandTests {
    /// A scratch folder with the given files, removed when the test ends.
    final class Scratch {
        let folder: URL
        init(_ files: [String: String] = [:]) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("tether-agent-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        }
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: folder) }
    }

    static let server = "http://127.0.0.1:9"

    @Test(arguments: [
        (["agent"], "--server URL is required"),
        (["agent", "--server", server], "--collection NAME is required"),
        (["agent", "--server", server, "--collection", "bad name"], "invalid collection name 'bad name'"),
        (["agent", "--server", server, "--collection", String(repeating: "x", count: 65)], "invalid collection name"),
        (["agent", "--server", server, "--collection", "todos", "--frobnicate"], "unknown option '--frobnicate'"),
        (["agent", "--server", server, "--collection", "todos", "--transport", "carrier-pigeon"], "--transport must be one of"),
        (["agent", "--server", server, "--collection", "todos", "--until-idle", "-1"], "--until-idle must be a number"),
        (["agent", "--server", server, "--collection", "todos", "--until-idle", "soon"], "--until-idle must be a number"),
        (["agent", "--server", server, "--collection", "todos", "--until-idle"], "--until-idle needs a value"),
        (["agent", "--server", server, "--server", server, "--collection", "todos"], "--server given more than once"),
        (["agent", "--server", "ftp://127.0.0.1", "--collection", "todos"], "--server must be a base URL"),
        (["agent", "--server", "http://127.0.0.1:9/?x=1", "--collection", "todos"], "--server must be a base URL"),
        (["agent", "--server", server, "--collection", "todos", "--events=yes"], "--events takes no value"),
        (["agent", "--server", server, "--collection", "todos", "--client-id", "no spaces"], "invalid client id"),
        (["agent", "--server", server, "--collection", "todos", "stray"], "unexpected argument 'stray'"),
        (["agent", "--server", server, "--collection", "todos", "--patch", "p.json"], "unknown option '--patch'"),
        (["push", "--server", server, "--collection", "todos"], "--patch FILE is required"),
        (["push", "--server", server, "--collection", "a", "--collection", "b", "--patch", "p.json"], "exactly one --collection"),
        (["push", "--server", server, "--collection", "todos", "--patch", "p.json", "--events"], "unknown option '--events'"),
    ])
    func usageErrorsExitTwo(arguments: [String], message: String) throws {
        let result = try TetherProcess.run(arguments, timeout: 20)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("usage: tether \(arguments[0])"))
        #expect(result.stdout.isEmpty)
    }

    @Test func helpPrintsUsageAndExitsZero() throws {
        for command in ["agent", "push"] {
            let result = try TetherProcess.run([command, "--help"], timeout: 20)
            #expect(result.status == 0)
            #expect(result.stdout.contains("usage: tether \(command) --server URL"))
        }
        let top = try TetherProcess.run(["--help"], timeout: 20)
        #expect(top.stdout.contains("agent --server URL") && top.stdout.contains("push --server URL"))
    }

    @Test func malformedPatchesExitTwo() throws {
        let files = try Scratch([
            "broken.json": #"[{"op":"add","path":"/t1","value":{}}"#,
            "not-a-patch.json": #"{"op":"add"}"#,
            "bad-op.json": #"[{"op":"launch","path":"/t1"}]"#,
        ])
        for (name, message) in [
            ("broken.json", "malformed JSON"), ("not-a-patch.json", "not an RFC 6902 patch"),
            ("bad-op.json", "not an RFC 6902 patch"), ("missing.json", "cannot read patch"),
        ] {
            let result = try TetherProcess.run(
                ["push", "--server", Self.server, "--collection", "todos", "--patch", files.path(name)], timeout: 20)
            #expect(result.status == 2, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
        }
    }

    @Test func pushClientIDNeedsAState() throws {
        let files = try Scratch(["p.json": "[]"])
        let result = try TetherProcess.run(
            ["push", "--server", Self.server, "--collection", "todos", "--patch", files.path("p.json"), "--client-id", "c1"],
            timeout: 20)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--client-id needs --state"))
    }

    @Test func unreadableStateFileExitsTwo() throws {
        let files = try Scratch(["state.json": #"{"not":"a binder file"}"#, "garbage.json": "\u{1}\u{2}"])
        for name in ["state.json", "garbage.json"] {
            let result = try TetherProcess.run(
                ["agent", "--server", Self.server, "--collection", "todos", "--state", files.path(name), "--until-idle", "1"],
                timeout: 20)
            #expect(result.status == 2, "\(name): \(result.stderr)")
            #expect(result.stderr.contains("--state"), "\(name): \(result.stderr)")
            let untouched = try String(contentsOfFile: files.path(name), encoding: .utf8)
            #expect(untouched == (name == "state.json" ? #"{"not":"a binder file"}"# : "\u{1}\u{2}"))
        }
    }

    @Test func unreachableServerFailsOnceIdle() throws {
        // Port 9 (discard) on loopback: nothing listens, every connect is refused.
        let result = try TetherProcess.run(
            ["agent", "--server", Self.server, "--collection", "todos", "--transport", "sse", "--until-idle", "1"],
            timeout: 30)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("not synced"))
        #expect(result.stdout.isEmpty)
    }
}
