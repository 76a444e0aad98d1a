import TetherTestSupport
import Synchronization
import TetherSync

/// A settable wall clock for hybrid logical clocks under test.
final class ManualClock: Sendable {
    private let milliseconds: Mutex<UInt64>
    init(_ start: UInt64) { milliseconds = Mutex(start) }
    var now: UInt64 { milliseconds.withLock { $0 } }
    func set(_ value: UInt64) { milliseconds.withLock { $0 = value } }
    var read: @Sendable () -> UInt64 { { [self] in now } }
}

/// Random concurrent histories: several replicas, each with its own hybrid logical clock (skewed,
/// sometimes running backwards), write to their local documents from what they have seen so far
/// and now and then receive some of the others' writes.
struct RandomHistory {
    var writes: [VersionedWrite] = []
    var replicas: [VersionedDocument] = []

    static let models = ["m0", "m1", "m2", "m3"]
    static let attributes = ["a", "b", "c"]

    /// - Parameters:
    ///   - steps: number of local writes or receive events.
    ///   - startMilliseconds: physical time of the first write (before skew).
    static func generate(
        seed: UInt64, replicaCount: Int, steps: Int, startMilliseconds: UInt64 = 1_000_000,
        into history: RandomHistory? = nil
    ) -> RandomHistory {
        var rng = SplitMix64(seed: seed)
        var history = history ?? RandomHistory(writes: [], replicas: Array(repeating: VersionedDocument(), count: replicaCount))
        let walls = (0..<replicaCount).map { _ in ManualClock(startMilliseconds + UInt64.random(in: 0...40, using: &rng)) }
        var clocks = (0..<replicaCount).map { i in
            HybridLogicalClock(replica: try! ReplicaID("r\(i)"), physicalClock: walls[i].read)
        }
        var seen = Array(repeating: Set<Int>(), count: replicaCount)
        for (i, doc) in history.replicas.enumerated() where !doc.state.objectValue!.isEmpty {
            seen[i] = Set(history.writes.indices)  // earlier phases were fully delivered
        }
        for _ in 0..<steps {
            let r = Int.random(in: 0..<replicaCount, using: &rng)
            // Wall clocks mostly advance by a few ms, sometimes stall, sometimes jump back.
            let roll = Int.random(in: 0..<10, using: &rng)
            let wall = walls[r].now
            walls[r].set(roll == 0 ? wall - min(wall, UInt64.random(in: 1...20, using: &rng)) : wall + UInt64.random(in: 0...3, using: &rng))
            if Int.random(in: 0..<3, using: &rng) == 0, !history.writes.isEmpty {
                // Receive a random handful of writes made elsewhere.
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    let k = Int.random(in: 0..<history.writes.count, using: &rng)
                    guard !seen[r].contains(k) else { continue }
                    seen[r].insert(k)
                    _ = try? clocks[r].receive(history.writes[k].stamp)
                    history.replicas[r].apply(history.writes[k])
                }
            } else {
                let write = randomWrite(view: history.replicas[r].state, stamp: clocks[r].now(), rng: &rng)
                seen[r].insert(history.writes.count)
                history.writes.append(write)
                history.replicas[r].apply(write)
            }
        }
        return history
    }

    /// A write a user of this replica might make: mostly about models it can see, sometimes about
    /// models it cannot (removed or not yet received).
    static func randomWrite(view: JSON, stamp: VersionStamp, rng: inout SplitMix64) -> VersionedWrite {
        let visible = view.objectValue.map { Array($0.keys) } ?? []
        let model = (Int.random(in: 0..<4, using: &rng) > 0 && !visible.isEmpty)
            ? visible.randomElement(using: &rng)! : models.randomElement(using: &rng)!
        let attribute = attributes.randomElement(using: &rng)!
        let path: [String]
        var remove = false
        var value: JSON = randomScalar(&rng)
        switch Int.random(in: 0..<14, using: &rng) {
        case 0, 1: path = [model]; value = randomModel(&rng)
        case 2, 3, 4, 5: path = [model, attribute]
        case 6: path = [model, "n"]; value = randomNested(&rng)
        case 7: path = [model, "n", ["x", "y"].randomElement(using: &rng)!]
        case 8: path = [model, "tags"]; value = .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in randomScalar(&rng) })
        case 9: path = [model]; remove = true
        case 10: path = [model, attribute]; remove = true
        case 11: path = [model, "n", "x"]; remove = Bool.random(using: &rng)
        case 12: path = [model, "n", "z", "w"]
        default: path = Bool.random(using: &rng) ? [model] : [model, "n"]; value = randomScalar(&rng)
        }
        return remove ? try! .remove(path, stamp: stamp) : try! .set(path, value, stamp: stamp)
    }

    static func randomScalar(_ rng: inout SplitMix64) -> JSON {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: -3...9, using: &rng))
        case 3: return .string(["x", "y", "é", "q\""].randomElement(using: &rng)!)
        default: return .double(Double(Int.random(in: 0...8, using: &rng)) / 4)
        }
    }

    static func randomNested(_ rng: inout SplitMix64) -> JSON {
        var object = JSONObject()
        for key in ["x", "y", "z"] where Bool.random(using: &rng) {
            object[key] = Int.random(in: 0..<4, using: &rng) == 0 ? ["w": randomScalar(&rng)] : randomScalar(&rng)
        }
        return .object(object)
    }

    static func randomModel(_ rng: inout SplitMix64) -> JSON {
        var object = JSONObject()
        for key in attributes where Bool.random(using: &rng) { object[key] = randomScalar(&rng) }
        if Bool.random(using: &rng) { object["n"] = randomNested(&rng) }
        if Bool.random(using: &rng) { object["tags"] = [randomScalar(&rng)] }
        return .object(object)
    }
}
