// `tether replay FILE [--events] [--check]`: replays a recorded session (.jsonl transcript) against a
// real RealtimeBinder and real collections, offline and deterministically.
//
// Output: with --events, every binder and collection event as one JSON line, as it happens; then one
// line with the final state: {"state":{collection:{id:model}},"cursors":{...},"pendingWrites":n}.
// --check compares events and final state with FILE's sibling `.expected.json`.
// Exit codes: 0 replayed (and matched); 1 the client diverged from the transcript, or --check found a
// difference (details on stderr); 2 usage error, unreadable or invalid transcript.
import Foundation
import Tether

let replayCommand = Command(
    name: "replay",
    synopsis: "replay FILE [--events] [--check]   replay a session transcript; print events and final state",
    run: { arguments in await ReplayCommand.run(arguments) }
)

enum ReplayCommand {
    static let usage = "usage: tether replay FILE [--events] [--check]"

    @MainActor static func run(_ arguments: [String]) async -> Int32 {
        var path: String?
        var showEvents = false
        var check = false
        for argument in arguments {
            switch argument {
            case "--events": showEvents = true
            case "--check": check = true
            case "-h", "--help":
                print(usage)
                return 0
            default:
                guard path == nil, !argument.hasPrefix("--") else { return fail(2, usage) }
                path = argument
            }
        }
        guard let path else { return fail(2, usage) }
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return fail(2, "tether replay: cannot read \(path)")
        }
        let transcript: Transcript
        do { transcript = try Transcript(jsonl: Array(data)) } catch { return fail(2, "tether replay: \(path): \(error)") }
        let session: ReplaySession
        do { session = try ReplaySession(transcript: transcript) } catch { return fail(2, "tether replay: \(error)") }

        let out = FileHandle.standardOutput
        let result = await session.run { event in
            guard showEvents else { return }
            out.write(Data((event.serialized(options: [.sortedKeys]) + "\n").utf8))
        }
        let final: JSON = ["state": result.state, "cursors": result.cursors, "pendingWrites": .int(Int64(result.pendingWrites))]
        out.write(Data((final.serialized(options: [.sortedKeys]) + "\n").utf8))

        var status: Int32 = 0
        for mismatch in result.mismatches {
            FileHandle.standardError.write(Data("tether replay: \(mismatch)\n".utf8))
            status = 1
        }
        if check {
            let expectedURL = url.deletingPathExtension().appendingPathExtension("expected.json")
            guard let expectedData = FileManager.default.contents(atPath: expectedURL.path),
                  let expected = try? JSON(parsing: Array(expectedData))
            else { return fail(2, "tether replay: cannot read \(expectedURL.path)") }
            for difference in ReplayExpectation.differences(expected: expected, actual: result) {
                FileHandle.standardError.write(Data("tether replay: \(difference)\n".utf8))
                status = 1
            }
        }
        return status
    }

    static func fail(_ status: Int32, _ message: String) -> Int32 {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return status
    }
}
