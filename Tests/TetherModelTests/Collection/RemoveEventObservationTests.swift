import Testing
import TetherModel
import TetherTestSupport

/// What a `remove` handler observes while `set`/`remove` splice models out: Backbone removes
/// each model, then fires its `remove` with the index it had, so the handler sees the list
/// without it (and without the models removed before it), whatever the collection does inside.
@Suite struct RemoveEventObservationTests {
    /// What one `remove` handler saw.
    struct Seen: Equatable {
        var id: Int
        var index: Int?
        var models: [Int]
        var length: Int
        var iterated: [Int]
        var lastAt: Int?
        var found: Bool
    }

    static func ids(_ models: some Sequence<SyncModel>) -> [Int] {
        models.map { Int($0.id?.numberValue?.doubleValue ?? -1) }
    }

    /// Attaches a handler that records everything a remove handler can read.
    static func observe(_ collection: SyncCollection, into log: @escaping (Seen) -> Void) {
        collection.on("remove") { [unowned collection] event in
            guard case .remove(let model, _, let options) = event else { return }
            let id = Int(model.id?.numberValue?.doubleValue ?? -1)
            log(Seen(
                id: id, index: options.index, models: ids(collection.models), length: collection.length,
                iterated: ids(collection), lastAt: collection.at(-1).map { ids([$0])[0] },
                found: collection.get(model.id ?? .null) != nil))
        }
    }

    /// The reference: removals in collection order, each at its index in the list spliced so far.
    static func expected(before: [Int], kept: Set<Int>) -> [Seen] {
        var current = before
        var seen: [Seen] = []
        for id in before where !kept.contains(id) {
            let index = current.firstIndex(of: id)!
            current.remove(at: index)
            seen.append(Seen(id: id, index: index, models: current, length: current.count, iterated: current,
                             lastAt: current.last, found: false))
        }
        return seen
    }

    @Test("set: a remove handler sees the spliced list, its index and no index entry")
    func setRemovalsObserved() throws {
        let collection = try SyncCollection(models: (1...10).map { ["id": .number(.int(Int64($0)))] })
        var log: [Seen] = []
        Self.observe(collection) { log.append($0) }
        try collection.set([["id": 2], ["id": 4], ["id": 6], ["id": 8], ["id": 10], ["id": 11]])
        #expect(log == Self.expected(before: Array(1...10), kept: [2, 4, 6, 8, 10]))
        #expect(log.map(\.index) == [0, 1, 2, 3, 4])
        #expect(Self.ids(collection.models) == [2, 4, 6, 8, 10, 11])
    }

    @Test("remove([models]) in any order: indexes at the moment of each splice")
    func removeListObserved() throws {
        let collection = try SyncCollection(models: (1...8).map { ["id": .number(.int(Int64($0)))] })
        var log: [Seen] = []
        Self.observe(collection) { log.append($0) }
        let doomed = [7, 2, 5, 1].map { collection.get(.number(.int(Int64($0))))! }
        collection.remove(doomed)
        #expect(log.map(\.id) == [7, 2, 5, 1])
        #expect(log.map(\.index) == [6, 1, 3, 0])
        #expect(log.map(\.models) == [[1, 2, 3, 4, 5, 6, 8], [1, 3, 4, 5, 6, 8], [1, 3, 4, 6, 8], [3, 4, 6, 8]])
        #expect(Self.ids(collection.models) == [3, 4, 6, 8])
    }

    @Test("property: random sets, every remove handler sees the reference list", arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func randomSets(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var nextId = 1
        func fresh() -> Int {
            defer { nextId += 1 }
            return nextId
        }
        let collection = try SyncCollection(models: (0..<Int.random(in: 0...60, using: &rng)).map { _ in
            ["id": .number(.int(Int64(fresh())))]
        })
        var log: [Seen] = []
        Self.observe(collection) { log.append($0) }
        for _ in 0..<25 {
            let before = Self.ids(collection.models)
            var kept = before.filter { _ in Int.random(in: 0..<100, using: &rng) < 75 }
            kept.shuffle(using: &rng)
            var input = kept
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                input.insert(fresh(), at: Int.random(in: 0...input.count, using: &rng))
            }
            log.removeAll()
            try collection.set(input.map { ["id": .number(.int(Int64($0)))] })
            #expect(log == Self.expected(before: before, kept: Set(kept)), "seed \(seed)")
            #expect(Self.ids(collection.models) == input, "seed \(seed)")
            #expect(collection.length == input.count)
        }
    }

    @Test("a remove handler that removes another model: the outer loop skips it")
    func handlerRemovesAnother() throws {
        let collection = try SyncCollection(models: (1...6).map { ["id": .number(.int(Int64($0)))] })
        var events: [String] = []
        collection.on("remove") { [unowned collection] event in
            guard case .remove(let model, _, let options) = event else { return }
            events.append("remove \(Self.ids([model])[0])@\(options.index ?? -1) \(Self.ids(collection.models))")
            if model.id == 2 { collection.remove(id: 5) }
        }
        collection.on("update") { _ in events.append("update") }
        try collection.set([["id": 1], ["id": 3], ["id": 6]])
        #expect(events == [
            "remove 2@1 [1, 3, 4, 5, 6]",
            "remove 5@3 [1, 3, 4, 6]",
            "update",
            "remove 4@2 [1, 3, 6]",
            "update",
        ])
        #expect(Self.ids(collection.models) == [1, 3, 6])
    }

    @Test("a remove handler that inserts at the front: later indexes follow the shifted list")
    func handlerInsertsAtFront() throws {
        let collection = try SyncCollection(models: (1...6).map { ["id": .number(.int(Int64($0)))] })
        var events: [String] = []
        collection.on("remove") { [unowned collection] event in
            guard case .remove(let model, _, let options) = event else { return }
            events.append("remove \(Self.ids([model])[0])@\(options.index ?? -1) \(Self.ids(collection.models))")
            if model.id == 2 { collection.unshift(["id": 9]) }
        }
        try collection.set([["id": 1], ["id": 3], ["id": 6]], options: SetOptions())
        #expect(events == [
            "remove 2@1 [1, 3, 4, 5, 6]",
            "remove 4@3 [9, 1, 3, 5, 6]",
            "remove 5@3 [9, 1, 3, 6]",
        ])
        // `set` then makes the collection exactly its input (Backbone replaces the list).
        #expect(Self.ids(collection.models) == [1, 3, 6])
    }

    @Test("a handler holding the models array keeps its snapshot")
    func heldSnapshotUnchanged() throws {
        let collection = try SyncCollection(models: (1...5).map { ["id": .number(.int(Int64($0)))] })
        var snapshots: [[SyncModel]] = []
        collection.on("remove") { [unowned collection] _ in snapshots.append(collection.models) }
        try collection.set([["id": 5]])
        #expect(snapshots.map { Self.ids($0) } == [[2, 3, 4, 5], [3, 4, 5], [4, 5], [5]])
    }
}
