import Foundation
import Testing
import TetherSync
import TetherTestSupport

/// `tether replay` as a user runs it (the executable is built with the tests).
@Suite struct ReplayCommandTests {
    @Test func printsEventsThenTheFinalState() throws {
        let path = FixturePaths.fixture("sessions/01-initial-snapshot.jsonl").path
        let result = try TetherProcess.run(["replay", path, "--events"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { try? JSON(parsing: String($0)) }
        #expect(lines.count == 7)
        #expect(lines.first??["event"] == "connecting")
        #expect(lines.last??["state"]?["todos"]?["t2"]?["title"] == "bread")
        #expect(lines.last??["cursors"] == ["todos": ["epoch": "e1", "seq": 2]])
    }

    @Test func checkPassesForEverySession() throws {
        let folder = FixturePaths.fixture("sessions")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".jsonl") {
            let result = try TetherProcess.run(["replay", folder.appendingPathComponent(name).path, "--check"])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(result.stdout.split(separator: "\n").count == 1)
        }
    }

    @Test func reportsDivergenceAndBadInput() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tether-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let diverging = folder.appendingPathComponent("d.jsonl")
        try Data("""
        {"kind":"session","version":1,"client":"alice","collections":["todos"]}
        {"kind":"connect"}
        {"kind":"out","frame":{"type":"hello","client":"bob"}}

        """.utf8).write(to: diverging)
        let result = try TetherProcess.run(["replay", diverging.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("expected the client to send"))

        let invalid = folder.appendingPathComponent("i.jsonl")
        try Data("{\"kind\":\"session\",\"version\":1,\"client\":\"alice\",\"collections\":[]}\n".utf8).write(to: invalid)
        let bad = try TetherProcess.run(["replay", invalid.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("line 1"))
        #expect(try TetherProcess.run(["replay"]).status == 2)
        #expect(try TetherProcess.run(["replay", folder.appendingPathComponent("missing.jsonl").path]).status == 2)
    }
}
