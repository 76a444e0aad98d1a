import Foundation
import Testing
import TetherTestSupport

/// `tether patch DOCUMENT PATCH` as a script would use it: stdout, stderr and exit codes 0/1/2.
struct PatchCommandTests {
    /// A scratch folder with the given files, removed when the test ends.
    final class Scratch {
        let folder: URL
        init(_ files: [String: String]) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("tether-patch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        }
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: folder) }
    }

    @Test func printsPatchedDocumentAsCompactJSON() throws {
        let files = try Scratch([
            "doc.json": #"{ "title": "Buy milk", "tags": ["a"], "meta": {"rev": 1} }"#,
            "patch.json": #"[{"op":"replace","path":"/meta/rev","value":2},{"op":"add","path":"/tags/-","value":"b"},{"op":"remove","path":"/title"}]"#,
        ])
        let result = try TetherProcess.run(["patch", files.path("doc.json"), files.path("patch.json")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"{"tags":["a","b"],"meta":{"rev":2}}"# + "\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func readsEitherInputFromStandardInput() throws {
        let files = try Scratch(["doc.json": #"{"n":1}"#, "patch.json": #"[{"op":"copy","from":"/n","path":"/m"}]"#])
        let patchOnStdin = try TetherProcess.run(
            ["patch", files.path("doc.json"), "-"], stdin: Data(#"[{"op":"add","path":"/x","value":null}]"#.utf8))
        #expect(patchOnStdin.status == 0)
        #expect(patchOnStdin.stdout == #"{"n":1,"x":null}"# + "\n")
        let documentOnStdin = try TetherProcess.run(["patch", "-", files.path("patch.json")], stdin: Data("[true]".utf8))
        #expect(documentOnStdin.status == 1, "a copy from a missing path cannot be applied")
        #expect(documentOnStdin.stdout.isEmpty)
    }

    @Test func unappliablePatchExitsOneWithOneLineReason() throws {
        let files = try Scratch([
            "doc.json": #"{"a":[1,2]}"#,
            "patch.json": #"[{"op":"add","path":"/b","value":1},{"op":"test","path":"/a/1","value":3}]"#,
            "bad-op.json": #"[{"op":"spam","path":"/a"}]"#,
        ])
        let failed = try TetherProcess.run(["patch", files.path("doc.json"), files.path("patch.json")])
        #expect(failed.status == 1)
        #expect(failed.stdout.isEmpty)
        #expect(failed.stderr.hasSuffix("\n") && failed.stderr.dropLast().contains("\n") == false)
        #expect(failed.stderr.contains("operation 1") && failed.stderr.contains("test failed"))

        let unknown = try TetherProcess.run(["patch", files.path("doc.json"), files.path("bad-op.json")])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("spam"))
    }

    @Test func usageAndInputErrorsExitTwo() throws {
        let files = try Scratch(["doc.json": "{\n  \"a\": [1,\n  2,,]\n}", "ok.json": "[]"])
        let malformed = try TetherProcess.run(["patch", files.path("doc.json"), files.path("ok.json")])
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("line 3, column 5"), "\(malformed.stderr)")

        #expect(try TetherProcess.run(["patch", files.path("ok.json")]).status == 2)
        #expect(try TetherProcess.run(["patch", "-", "-"]).status == 2)
        let missing = try TetherProcess.run(["patch", files.path("nope.json"), files.path("ok.json")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.json"))
    }
}
