import Foundation
import Testing
import TetherSync
import TetherTestSupport

/// Replays every bundled session and compares events, final state, cursors and pending writes with
/// its `.expected.json`, and checks that the client sent exactly the frames the transcript expects.
@Suite struct FixtureReplayTests {
    static let sessions: [String] = {
        let folder = FixturePaths.fixture("sessions")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted()
    }()

    @Test func thereAreAtLeastFifteenSessions() {
        #expect(Self.sessions.count >= 15)
        #expect(Self.sessions.first == "01-initial-snapshot.jsonl")
    }

    @Test(arguments: sessions)
    @MainActor func replaysToExpectedEventsAndState(_ name: String) async throws {
        let url = FixturePaths.fixture("sessions/\(name)")
        let transcript = try Transcript(jsonl: Array(try FixturePaths.data(url)))
        let expectedURL = url.deletingPathExtension().appendingPathExtension("expected.json")
        let expected = try JSON(parsing: Array(try FixturePaths.data(expectedURL)))

        let session = try ReplaySession(transcript: transcript)
        let result = await session.run()

        #expect(result.mismatches.isEmpty, "\(name): \(result.mismatches.joined(separator: "\n"))")
        let differences = ReplayExpectation.differences(expected: expected, actual: result)
        #expect(differences.isEmpty, "\(name): \(differences.joined(separator: "\n"))")
        #expect(expected["events"]?.arrayValue?.isEmpty == false, "\(name) has no expected events")
        // Replaying twice gives the same result: nothing depends on wall time or scheduling.
        let again = await (try ReplaySession(transcript: transcript)).run()
        #expect(again == result)
    }

    @Test func transcriptsRoundTripThroughTheirTextForm() throws {
        for name in Self.sessions {
            let bytes = Array(try FixturePaths.data(FixturePaths.fixture("sessions/\(name)")))
            let transcript = try Transcript(jsonl: bytes)
            #expect(try Transcript(jsonl: transcript.jsonl()) == transcript, "\(name)")
        }
    }

    /// Every frame in every session is a valid protocol-v1 frame, except the deliberately malformed
    /// ones: an incoming frame that does not decode must be one the session expects a
    /// `malformed-frame` error event for (so only the malformed-frames session has any).
    @Test func sessionFramesAreValidProtocolFrames() throws {
        var malformedSeen = 0
        for name in Self.sessions {
            let url = FixturePaths.fixture("sessions/\(name)")
            let transcript = try Transcript(jsonl: Array(try FixturePaths.data(url)))
            var undecodable = 0
            for entry in transcript.entries {
                switch entry {
                case .in(let texts):
                    for text in texts where (try? WireFrame(bytes: text)) == nil { undecodable += 1 }
                case .out(let frame):
                    // `out` frames may omit members (subset matching) but must name a client frame type.
                    #expect(frame["type"]?.stringValue.map { ["hello", "subscribe", "mutate", "pong", "ping"].contains($0) } == true, "\(name)")
                default:
                    break
                }
            }
            let expected = try JSON(parsing: Array(try FixturePaths.data(url.deletingPathExtension().appendingPathExtension("expected.json"))))
            let reported = expected["events"]?.arrayValue?.filter { $0["error"] == "malformed-frame" }.count ?? 0
            #expect(undecodable == reported, "\(name): \(undecodable) frames do not decode, \(reported) malformed-frame events expected")
            malformedSeen += undecodable
        }
        #expect(malformedSeen >= 5, "the malformed-frames session lost its malformed frames")
    }
}
