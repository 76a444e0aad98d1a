import Testing
@testable import TetherModel
import TetherTestSupport

/// ``MemberList`` against a plain array under random removals (in any order), reads, inserts,
/// closes and reorders.
@Suite struct MemberListTests {
    static func same(_ list: inout MemberList, _ reference: [SyncModel]) -> Bool {
        guard list.count == reference.count else { return false }
        for i in reference.indices where list[i] !== reference[i] { return false }
        return true
    }

    @Test("random operations agree with an array", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func matchesArray(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let pool = (0..<80).map { _ in SyncModel() }
        var reference = Array(pool.prefix(40))
        var list = MemberList()
        list.replace(with: reference)
        for step in 0..<3_000 {
            switch Int.random(in: 0..<20, using: &rng) {
            case 0..<9 where !reference.isEmpty:
                let i = Int.random(in: 0..<reference.count, using: &rng)
                reference.remove(at: i)
                list.removeLeavingGap(at: i)
            case 9..<12 where !reference.isEmpty:
                let model = reference.randomElement(using: &rng)!
                #expect(list.index(of: model) == reference.firstIndex { $0 === model }, "seed \(seed) step \(step)")
            case 12:
                list.close()
            case 13:
                let array = list.array
                #expect(array.count == reference.count && zip(array, reference).allSatisfy { $0 === $1 }, "seed \(seed) step \(step)")
            case 14, 15:
                let fresh = pool.filter { model in !reference.contains { $0 === model } }
                let added = Array(fresh.shuffled(using: &rng).prefix(Int.random(in: 0...3, using: &rng)))
                let at = Int.random(in: 0...reference.count, using: &rng)
                reference.insert(contentsOf: added, at: at)
                list.insert(contentsOf: added, at: at)
            case 16:
                // Reorder through adopt: the current models plus new ones, shuffled.
                let fresh = pool.filter { model in !reference.contains { $0 === model } }
                let added = Array(fresh.prefix(Int.random(in: 0...2, using: &rng)))
                let order = (reference + added).shuffled(using: &rng)
                var seen = IdentitySet(capacity: order.count)
                for model in order { seen.insert(model) }
                list.adopt(order.map { Unmanaged.passUnretained($0) }, adding: added, seen: &seen)
                reference = order
            case 17:
                let absent = list.absent(from: IdentitySet(capacity: 0)).models
                #expect(absent.count == reference.count && zip(absent, reference).allSatisfy { $0 === $1 })
            default:
                if reference.count < 10 {
                    reference = Array(pool.shuffled(using: &rng).prefix(40))
                    list.replace(with: reference)
                }
            }
            #expect(Self.same(&list, reference), "seed \(seed) step \(step)")
        }
    }
}
