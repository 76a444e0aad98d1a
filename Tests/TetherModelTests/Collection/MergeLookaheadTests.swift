import Testing
import TetherModel
import TetherTestSupport

/// A large `set` into a plain collection looks models up a few inputs ahead and reuses those
/// lookups while the id index is unchanged. These tests replay the same random merges, with
/// handlers that remove, add and re-id models mid-`set`, on a plain collection and on a subclass
/// that overrides `modelId` (which never looks ahead): events, results and final state must match.
@Suite struct MergeLookaheadTests {
    /// Same ids as the base class, but an override, so `set` takes the path without lookahead.
    final class OverridingCollection: SyncCollection {
        override func modelId(_ attributes: JSONObject, idAttribute: String) -> JSON? {
            super.modelId(attributes, idAttribute: idAttribute)
        }
    }

    /// One scripted run: the events fired, each `set`'s result ids, and the final ids.
    static func run(_ collection: SyncCollection, seed: UInt64) throws -> (events: [String], results: [[String]], final: [String]) {
        let log = EventLog()
        log.record(collection)
        var handlerRandom = SplitMix64(seed: seed ^ 0xA5A5)
        var fresh = 0
        collection.on("change") { [unowned collection] _ in
            let models = collection.models
            switch handlerRandom.next() % 5 {
            case 0 where !models.isEmpty:
                collection.remove(models[Int(handlerRandom.next() % UInt64(models.count))])
            case 1:
                // Often an id that appears later in the same input.
                collection.add(["id": .string("x\(handlerRandom.next() % 120)"), "rev": -1])
            case 2 where !models.isEmpty:
                let model = models[Int(handlerRandom.next() % UInt64(models.count))]
                fresh += 1
                model.set("id", .string("renamed\(fresh)"))
            case 3 where !models.isEmpty:
                // Re-id a model to an id that a later input names.
                let model = models[Int(handlerRandom.next() % UInt64(models.count))]
                let target = "m\(handlerRandom.next() % 150)"
                if collection.get(.string(target)) == nil { model.set("id", .string(target)) }
            default:
                break
            }
        }
        var random = SplitMix64(seed: seed)
        let initial: [JSON] = (0..<100).map { ["id": .string("m\($0)"), "rev": 0, "tags": ["a", "b"]] }
        try collection.reset(initial)
        var results: [[String]] = []
        for round in 1...6 {
            let count = 40 + Int(random.next() % 120)
            let inputs: [JSON] = (0..<count).map { _ in
                let id = random.next() % 3 == 0 ? "x\(random.next() % 120)" : "m\(random.next() % 150)"
                let rev = random.next() % 4 == 0 ? Int64(round) : 0
                return ["id": .string(id), "rev": .number(.int(rev)), "tags": ["a", "b"]]
            }
            let result = try collection.set(inputs)
            results.append(result.map { $0.flatMap { $0.id?.serialized() } ?? "nil" })
            log.append("-- round \(round): " + collection.ids.joined(separator: ","))
        }
        return (log.entries, results, collection.ids)
    }

    @Test("handlers that remove, add and re-id models mid-set: the same events, results and state as without lookahead",
          arguments: [1 as UInt64, 2, 3, 4, 5, 6, 7, 8])
    func matchesTheSetWithoutLookahead(seed: UInt64) throws {
        let plain = try Self.run(SyncCollection(), seed: seed)
        let overriding = try Self.run(OverridingCollection(), seed: seed)
        #expect(plain.events.count > 200)
        #expect(plain.events == overriding.events)
        #expect(plain.results == overriding.results)
        #expect(plain.final == overriding.final)
    }

    @Test("update's merged list: every merging input once, in input order, duplicates and model instances included")
    func mergedListsEachMergingInput() throws {
        for size in [3, 64] {  // below and above the lookahead threshold
            let collection = try SyncCollection(models: (0..<size).map { ["id": .number(.int(Int64($0)))] })
            var merged: [[JSON?]] = []
            collection.on("update") { event in merged.append(event.options?.changes?.merged.map(\.id) ?? []) }
            let existing = collection.at(1)!
            var inputs: [ModelInput] = [.attributes(["id": 2, "a": 1]), .attributes(["id": 1000]), .model(SyncModel(["id": 0]))]
            inputs += [.attributes(["id": 2, "a": 2]), .model(existing)]
            inputs += (3..<size).map { .attributes(["id": .number(.int(Int64($0)))]) }
            collection.set(inputs, options: SetOptions(remove: false))
            // The new model (1000) is added, not merged; `existing` is the model itself, so not merged.
            let expected: [JSON?] = [2, 0, 2] + (3..<size).map { .number(.int(Int64($0))) }
            #expect(merged == [expected])
            var changes = CollectionChanges(merged: [existing])
            #expect(changes.merged.map(\.id) == [1])
            changes.merged = []
            #expect(changes.merged.isEmpty)
        }
    }
}
