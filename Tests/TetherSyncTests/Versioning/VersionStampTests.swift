import Testing
import TetherTestSupport
import TetherSync

extension VersioningTests {
    @Suite struct Stamps {
        @Test func wireFormRoundTrips() throws {
            let stamp = try VersionStamp(physical: 1_732_645_000_000, counter: 3, replica: ReplicaID("alice"))
            #expect(stamp.wireString == "001732645000000-000003-alice")
            #expect(try VersionStamp(parsing: stamp.wireString) == stamp)
            let extremes = try VersionStamp(physical: VersionStamp.maxPhysical, counter: VersionStamp.maxCounter, replica: ReplicaID("a_b.c:d-9"))
            #expect(extremes.wireString == "999999999999999-999999-a_b.c:d-9")
            #expect(try VersionStamp(parsing: extremes.wireString) == extremes)
        }

        @Test func orderIsPhysicalThenCounterThenReplica() throws {
            let texts = [
                "000000000000005-000000-zed", "000000000000004-000009-bob", "000000000000005-000001-alice",
                "000000000000005-000001-alice-2", "000000000000005-000001-Bob", "000000000000005-000001-alice.",
            ]
            let stamps = try texts.map { try VersionStamp(parsing: $0) }
            // Fixed widths: tuple order equals byte order of the wire strings.
            #expect(stamps.sorted().map(\.wireString) == texts.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            #expect(stamps.sorted().first?.wireString == "000000000000004-000009-bob")
            #expect(VersionStamp.zero < stamps.min()!)
        }

        @Test(arguments: [
            "", "1-2-a", "00173264500000-000003-alice", "0017326450000000-000003-alice", "001732645000000-00003-alice",
            "001732645000000_000003-alice", "00173264500000x-000003-alice", "001732645000000-000003", "+01732645000000-000003-alice",
        ])
        func malformedStampsAreRejected(text: String) {
            #expect(throws: VersionStampError.invalidFormat(text)) { try VersionStamp(parsing: text) }
        }

        @Test(arguments: ["", "has space", "slash/", "é", String(repeating: "x", count: 65)])
        func invalidReplicaIDs(text: String) {
            #expect(throws: VersionStampError.invalidReplica(text)) { try ReplicaID(text) }
            #expect(throws: VersionStampError.invalidReplica(text)) { try VersionStamp(parsing: "001732645000000-000003-" + text) }
        }

        @Test func outOfRangeComponents() throws {
            let replica = try ReplicaID("a")
            #expect(throws: VersionStampError.physicalOutOfRange(1_000_000_000_000_000)) {
                try VersionStamp(physical: 1_000_000_000_000_000, counter: 0, replica: replica)
            }
            #expect(throws: VersionStampError.counterOutOfRange(1_000_000)) {
                try VersionStamp(physical: 1, counter: 1_000_000, replica: replica)
            }
            #expect(try ReplicaID(String(repeating: "x", count: 64)).rawValue.count == 64)
        }
    }

    @Suite struct Clock {
        @Test func followsWallClockAndNeverGoesBack() throws {
            let wall = ManualClock(1_000)
            var clock = HybridLogicalClock(replica: try ReplicaID("a"), physicalClock: wall.read)
            let first = clock.now()
            #expect(first.physical == 1_000 && first.counter == 0)
            let second = clock.now()  // same millisecond
            #expect(second.physical == 1_000 && second.counter == 1)
            wall.set(900)  // the wall clock jumps back
            let third = clock.now()
            #expect(third > second && third.physical == 1_000 && third.counter == 2)
            wall.set(1_005)
            let fourth = clock.now()
            #expect(fourth.physical == 1_005 && fourth.counter == 0)
        }

        @Test func receiveMovesPastRemoteStamps() throws {
            let wall = ManualClock(1_000)
            var clock = HybridLogicalClock(replica: try ReplicaID("a"), physicalClock: wall.read)
            _ = clock.now()
            let remote = try VersionStamp(physical: 2_000, counter: 7, replica: ReplicaID("b"))
            let received = try clock.receive(remote)
            #expect(received.physical == 2_000 && received.counter == 8 && received > remote)
            let next = clock.now()
            #expect(next > remote && next.physical == 2_000 && next.counter == 9)
            // A remote stamp behind us only bumps the counter.
            let old = try VersionStamp(physical: 10, counter: 0, replica: ReplicaID("c"))
            #expect(try clock.receive(old) == VersionStamp(physical: 2_000, counter: 10, replica: ReplicaID("a")))
            // When the wall clock overtakes everything, the counter resets.
            wall.set(3_000)
            #expect(try clock.receive(remote) == VersionStamp(physical: 3_000, counter: 0, replica: ReplicaID("a")))
        }

        @Test func sameMillisecondAsRemoteTakesTheLargerCounter() throws {
            let wall = ManualClock(5_000)
            var clock = HybridLogicalClock(replica: try ReplicaID("a"), physicalClock: wall.read)
            _ = clock.now(); _ = clock.now()  // (5000, 1)
            let remote = try VersionStamp(physical: 5_000, counter: 4, replica: ReplicaID("b"))
            #expect(try clock.receive(remote).counter == 5)
        }

        @Test func driftBoundRefusesFarFutureStampsAndKeepsState() throws {
            let wall = ManualClock(1_000)
            var clock = HybridLogicalClock(replica: try ReplicaID("a"), maxDrift: 500, physicalClock: wall.read)
            let before = clock.now()
            let future = try VersionStamp(physical: 1_501, counter: 0, replica: ReplicaID("b"))
            #expect(throws: ClockError.driftExceeded(remote: future, localPhysical: 1_000, maxDrift: 500)) {
                try clock.receive(future)
            }
            #expect(clock.latest == before)
            #expect(try clock.receive(VersionStamp(physical: 1_500, counter: 0, replica: ReplicaID("b"))).physical == 1_500)
        }

        @Test func counterExhaustionBorrowsTheNextMillisecond() throws {
            let wall = ManualClock(1_000)
            var clock = HybridLogicalClock(replica: try ReplicaID("a"), physicalClock: wall.read)
            let remote = try VersionStamp(physical: 1_000, counter: VersionStamp.maxCounter, replica: ReplicaID("b"))
            let stamp = try clock.receive(remote)
            #expect(stamp.physical == 1_001 && stamp.counter == 0 && stamp > remote)
        }

        @Test func manyStampsAreStrictlyIncreasingUnderAJitteryClock() throws {
            var rng = SplitMix64(seed: 42)
            let wall = ManualClock(10_000)
            var clock = HybridLogicalClock(replica: try ReplicaID("a"), physicalClock: wall.read)
            var last = VersionStamp.zero
            for _ in 0..<5_000 {
                wall.set(wall.now + UInt64.random(in: 0...2, using: &rng) - (Int.random(in: 0..<20, using: &rng) == 0 ? 30 : 0))
                let stamp = Bool.random(using: &rng)
                    ? clock.now()
                    : try clock.receive(VersionStamp(physical: wall.now + UInt64.random(in: 0...5, using: &rng), counter: 0, replica: ReplicaID("b")))
                #expect(stamp > last)
                last = stamp
            }
        }

        @Test func systemClockIsMilliseconds() {
            // Between 2020 and 2100: catches seconds or microseconds by mistake.
            let now = HybridLogicalClock.systemMilliseconds()
            #expect(now > 1_577_836_800_000 && now < 4_102_444_800_000)
        }
    }
}
