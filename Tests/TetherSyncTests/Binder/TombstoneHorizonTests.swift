import Testing
@testable import TetherSync

/// The binder bounds tombstones: once the removal is older than the horizon (in stamp time) it is
/// forgotten, silently — the state and the events are those of a binder that keeps everything.
@Suite @MainActor struct TombstoneHorizonTests {
    typealias B = TranscriptBuilder
    static let day: UInt64 = 24 * 60 * 60 * 1000

    static func transcript() -> Transcript {
        var b = B()
        b.start(state: ["t1": ["id": "t1"], "t2": ["id": "t2"]])
        b.inn(B.patch(1, [B.remove("/t1", B.stamp(B.t0))]))
        b.add(.delay(milliseconds: Self.day + 3_600_000))  // 25 hours later
        b.inn(B.patch(2, [B.set("/t2/x", 1, B.stamp(B.t0 + Self.day + 3_600_000))]))
        return b.transcript
    }

    static func run(horizon: UInt64?) async throws -> (ReplayResult, tombstones: Int) {
        let session = try ReplaySession(transcript: transcript()) { $0.tombstoneHorizonMilliseconds = horizon }
        let result = await session.run()
        #expect(result.mismatches.isEmpty, "\(result.mismatches)")
        let mirror = try #require(session.binder.mirrors["todos"])
        #expect(mirror.visible.metadataCensus.tombstones == mirror.confirmed.metadataCensus.tombstones)
        return (result, mirror.confirmed.metadataCensus.tombstones)
    }

    @Test func tombstonesOlderThanTheHorizonAreCollectedWithoutEvents() async throws {
        let (kept, keptCount) = try await Self.run(horizon: nil)
        let (collected, collectedCount) = try await Self.run(horizon: Self.day)
        #expect(keptCount == 1)
        #expect(collectedCount == 0)
        #expect(collected == kept)
        #expect(collected.state == ["todos": ["t2": ["id": "t2", "x": 1]]])
    }

    @Test func aTombstoneYoungerThanTheHorizonStays() async throws {
        let (_, count) = try await Self.run(horizon: 2 * Self.day)
        #expect(count == 1)
    }
}
