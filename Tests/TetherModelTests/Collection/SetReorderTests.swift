import Testing
import TetherModel

/// `set` with a new order: the collection ends as exactly its input (Backbone replaces its list),
/// whether or not handlers changed the collection meanwhile, and no model is leaked or freed early.
@Suite struct SetReorderTests {
    static func ids(_ models: some Sequence<SyncModel>) -> [Int] {
        models.map { Int($0.id?.numberValue?.doubleValue ?? -1) }
    }

    static func attrs(_ ids: [Int], rev: Int = 0) -> [JSON] {
        ids.map { ["id": .number(.int(Int64($0))), "rev": .number(.int(Int64(rev)))] }
    }

    @Test("reordered, grown and shrunk sets leave exactly the input, and every model is freed afterwards")
    func reorderKeepsOwnership() throws {
        var weakModels: [() -> SyncModel?] = []
        do {
            let collection = try SyncCollection(models: Self.attrs(Array(1...50)))
            var generator = SystemRandomNumberGenerator()
            var next = 51
            for round in 1...30 {
                var ids = Self.ids(collection).filter { _ in Int.random(in: 0..<10, using: &generator) != 0 }
                for _ in 0..<Int.random(in: 0...4, using: &generator) {
                    ids.append(next)
                    next += 1
                }
                ids.shuffle(using: &generator)
                try collection.set(Self.attrs(ids, rev: round))
                #expect(Self.ids(collection) == ids)
                #expect(Self.ids(collection.models) == ids)
                #expect(collection.length == ids.count)
                for id in ids { #expect(collection.get(.number(.int(Int64(id))))?.get("rev") == .number(.int(Int64(round)))) }
            }
            for model in collection.models { weakModels.append { [weak model] in model } }
        }
        #expect(weakModels.allSatisfy { $0() == nil }, "a model outlived its collection (over-retained)")
    }

    @Test("a change handler that adds a model during the merge: the set still ends as its input")
    func handlerAddsDuringMerge() throws {
        let collection = try SyncCollection(models: Self.attrs([1, 2, 3, 4]))
        var log: [String] = []
        collection.on("change") { [unowned collection] event in
            if event.model?.id == 2 && collection.get(99) == nil { collection.add(["id": 99]) }
        }
        collection.on("add remove") { event in log.append("\(event.name) \(Self.ids([event.model!])[0])") }
        try collection.set(Self.attrs([4, 3, 2, 1], rev: 1))
        #expect(Self.ids(collection) == [4, 3, 2, 1])
        #expect(log == ["add 99", "remove 99"])
    }

    @Test("a change handler that removes the model being merged: it stays alive (Backbone puts it back, unindexed)")
    func handlerRemovesMergedModel() throws {
        let collection = try SyncCollection(models: Self.attrs([1, 2, 3]))
        var removed: [Int] = []
        collection.on("change") { [unowned collection] event in
            if let model = event.model, model.id == 2 { collection.remove(model) }
        }
        collection.on("remove") { event in removed.append(Self.ids([event.model!])[0]) }
        let result = try collection.set(Self.attrs([3, 2, 1], rev: 1))
        #expect(removed == [2])
        #expect(result.map { $0.map { Self.ids([$0])[0] } } == [3, 2, 1])
        #expect(result[1]?.get("rev") == 1)
        // Backbone's replace step splices in its set list, which still holds the merged model.
        #expect(Self.ids(collection) == [3, 2, 1])
        #expect(collection.get(2) == nil)
    }

    @Test("a change handler that holds the models array keeps its snapshot through the reorder")
    func heldSnapshotSurvivesReorder() throws {
        let collection = try SyncCollection(models: Self.attrs([1, 2, 3]))
        var snapshot: [SyncModel] = []
        collection.on("change") { [unowned collection] _ in
            if snapshot.isEmpty { snapshot = collection.models }
        }
        try collection.set(Self.attrs([3, 1, 2, 4], rev: 1))
        #expect(Self.ids(snapshot) == [1, 2, 3])
        #expect(Self.ids(collection) == [3, 1, 2, 4])
    }

    @Test("model instances and duplicates in the input: one entry each, input order")
    func modelInputsAndDuplicates() throws {
        let collection = try SyncCollection(models: Self.attrs([1, 2, 3]))
        let fresh = SyncModel(["id": 7])
        let two = collection.get(2)!
        let result = collection.set([fresh, two, fresh, collection.get(1)!])
        #expect(result.map { $0.map { Self.ids([$0])[0] } } == [7, 2, 7, 1])
        #expect(Self.ids(collection) == [7, 2, 1])
        #expect(collection.get(7) === fresh)
    }
}
