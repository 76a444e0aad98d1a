import Testing
import TetherModel

/// Ports of Backbone's test/collection.js (network, create/fetch and JS-only cases excluded;
/// see docs/BACKBONE-DIFFERENCES.md).
@Suite struct CollectionTests {
    /// Backbone's fixture: four models a, b, c, d with ids 3, 2, 1, 0.
    static func fixture() -> (SyncCollection, a: SyncModel, b: SyncModel, c: SyncModel, d: SyncModel) {
        let a = SyncModel(["id": 3, "label": "a"])
        let b = SyncModel(["id": 2, "label": "b"])
        let c = SyncModel(["id": 1, "label": "c"])
        let d = SyncModel(["id": 0, "label": "d"])
        let col = SyncCollection([a, b, c, d])
        return (col, a, b, c, d)
    }

    @Test("new and sort") func newAndSort() throws {
        let (col, a, b, c, d) = Self.fixture()
        var counter = 0
        col.on("sort") { _ in counter += 1 }
        #expect(col.pluck("label") == ["a", "b", "c", "d"])
        col.comparator = .areInIncreasingOrder { $0.id!.int64Value! > $1.id!.int64Value! }
        try col.sort()
        #expect(counter == 1)
        #expect(col.pluck("label") == ["a", "b", "c", "d"])
        col.comparator = .key { $0.id }
        try col.sort()
        #expect(counter == 2)
        #expect(col.pluck("label") == ["d", "c", "b", "a"])
        #expect(col.count == 4)
        _ = (a, b, c, d)
    }

    @Test("String comparator.") func stringComparator() throws {
        let col = try SyncCollection(models: [["id": 3], ["id": 1], ["id": 2]], comparator: .attribute("id"))
        #expect(col.ids == ["1", "2", "3"])
    }

    @Test("new and parse") func newAndParse() throws {
        final class Filtering: SyncCollection {
            override func parse(_ response: JSON, options: SetOptions) -> [JSON] {
                (response.arrayValue ?? []).filter { ($0["a"]?.int64Value ?? 0) % 2 == 0 }
            }
        }
        let models: [JSON] = [["a": 1], ["a": 2], ["a": 3], ["a": 4]]
        let col = Filtering()
        try col.reset(models, options: SetOptions(parse: true))
        #expect(col.count == 2)
        #expect(col.first?.get("a") == 2)
        #expect(col.last?.get("a") == 4)
    }

    @Test("get") func get() {
        let (col, _, _, _, d) = Self.fixture()
        #expect(col.get(0) === d)
        #expect(col.get(d.clone()) === d)
        #expect(col.get(2)?.get("label") == "b")
        #expect(col.get(attributes: ["id": 1])?.get("label") == "c")
        #expect(col.get(.string(col.first!.cid)) === col.first)
        #expect(col.get(cid: col.first!.cid) === col.first)
    }

    @Test("get with non-default ids") func getNonDefaultIds() {
        let model = MongoModel(["_id": 100])
        let col = SyncCollection([model], model: MongoModel.self)
        #expect(col.get(100) === model)
        #expect(col.get(.string(model.cid)) === model)
        model.set("_id", 101)
        #expect(col.get(101) === model)
        let col2 = SyncCollection(model: MongoModel.self)
        col2.push(["_id": 100])
        #expect(col2.get(100)?.id == 100)
    }

    @Test("has") func has() {
        let (col, a, _, _, _) = Self.fixture()
        #expect(col.has(a))
        #expect(col.has(.string(a.cid)))
        #expect(col.has(3))
        #expect(col.has(a.clone()))
        #expect(!col.has(SyncModel()))
        #expect(!col.has(99))
    }

    @Test("update index when id changes") func updateIndexWhenIdChanges() {
        let col = SyncCollection()
        col.add(["id": 0, "name": "one"])
        col.add(["id": 1, "name": "two"])
        let one = col.get(0)!
        #expect(one.get("name") == "one")
        col.on("change:name") { event in if let m = event.model { #expect(col.get(m) != nil) } }
        one.set(["name": "dalmatians", "id": 101])
        #expect(col.get(0) == nil)
        #expect(col.get(101)?.get("name") == "dalmatians")
    }

    @Test("at") func at() {
        let (col, _, _, c, d) = Self.fixture()
        #expect(col.at(2) === c)
        #expect(col.at(-2) === c)
        #expect(col.at(-1) === d)
        #expect(col.at(4) == nil)
    }

    @Test("pluck") func pluck() {
        let (col, _, _, _, _) = Self.fixture()
        #expect(col.pluck("label") == ["a", "b", "c", "d"])
    }

    @Test("add") func add() {
        let (col, _, _, _, _) = Self.fixture()
        var added: String?
        var opts: SetOptions?
        col.on("add") { event in
            if case .add(let model, _, let options) = event {
                added = model.get("label")?.stringValue
                opts = options
            }
        }
        let e = SyncModel(["id": 10, "label": "e"])
        var options = SetOptions()
        options["amazing"] = true
        col.add(e, options: options)
        #expect(added == "e")
        #expect(col.count == 5)
        #expect(col.last === e)
        #expect(opts?["amazing"] == true)

        let f = SyncModel(["id": 20, "label": "f"])
        let g = SyncModel(["id": 21, "label": "g"])
        let h = SyncModel(["id": 22, "label": "h"])
        let atCol = SyncCollection([f, g, h])
        var coll = SyncCollection()
        coll = atCol
        coll.add(SyncModel(["id": 23]), options: SetOptions(at: 1))
        #expect(coll.count == 4)
        #expect(coll.at(1)?.id == 23)
    }

    @Test("add multiple models") func addMultiple() throws {
        let col = try SyncCollection(models: [["at": 0], ["at": 1], ["at": 9]])
        try col.add([["at": 2], ["at": 3], ["at": 4], ["at": 5], ["at": 6], ["at": 7], ["at": 8]], options: SetOptions(at: 2))
        #expect(col.pluck("at") == (0...9).map { JSON.int(Int64($0)) })
    }

    @Test("add; at should have preference over comparator") func atOverComparator() throws {
        let col = try SyncCollection(models: [["id": 2], ["id": 3]], comparator: .attribute("id"))
        col.add(["id": 1], options: SetOptions(at: 1))
        #expect(col.ids == ["2", "1", "3"])
    }

    @Test("add; at should add to the end if the index is out of bounds") func atOutOfBounds() throws {
        let col = try SyncCollection(models: [["id": 2], ["id": 3]])
        col.add(["id": 1], options: SetOptions(at: 5))
        #expect(col.ids == ["2", "3", "1"])
    }

    @Test("add supports negative indexes") func negativeAt() throws {
        let col = try SyncCollection(models: [["id": 1]])
        try col.add([["id": 2], ["id": 3]], options: SetOptions(at: -1))
        try col.add([["id": 2.5]], options: SetOptions(at: -2))
        try col.add([["id": 0.5]], options: SetOptions(at: -6))
        #expect(col.pluck("id") == [0.5, 1, 2, 2.5, 3])
    }

    @Test("merge in duplicate models with {merge: true}") func mergeDuplicates() throws {
        let col = SyncCollection()
        try col.add([["id": 1, "name": "Moe"], ["id": 2, "name": "Curly"], ["id": 3, "name": "Larry"]])
        col.add(["id": 1, "name": "Moses"])
        #expect(col.first?.get("name") == "Moe")
        col.add(["id": 1, "name": "Moses"], options: SetOptions(merge: true))
        #expect(col.first?.get("name") == "Moses")
        col.add(["id": 1, "name": "Tim"], options: SetOptions(silent: true, merge: true))
        #expect(col.first?.get("name") == "Tim")
    }

    @Test("add model to multiple collections") func multipleCollections() {
        var counter = 0
        let m = SyncModel(["id": 10, "label": "m"])
        m.on("add") { event in
            if case .add(let model, let collection, _) = event {
                counter += 1
                #expect(model === m)
                if counter > 1 { #expect(collection.count == 2) }
            }
        }
        let col1 = SyncCollection([SyncModel(["id": 5])])
        let col2 = SyncCollection([SyncModel(["id": 6])])
        col1.add(m)
        col2.add(m)
        #expect(counter == 2)
        #expect(m.collection === col1)
    }

    @Test("add model with parse") func addWithParse() {
        let col = SyncCollection(model: ParsingModel.self)
        col.add(["value": 1], options: SetOptions(parse: true))
        #expect(col.at(0)?.get("value") == 2)
    }

    @Test("add with parse and merge") func addParseMerge() throws {
        final class Unwrapping: SyncCollection {
            override func parse(_ response: JSON, options: SetOptions) -> [JSON] {
                (response.arrayValue ?? []).map { $0["model"] ?? $0 }
            }
        }
        let collection = Unwrapping()
        try collection.add([["id": 1]])
        try collection.add([["model": ["id": 1, "name": "Alf"]]], options: SetOptions(parse: true, merge: true))
        #expect(collection.first?.get("name") == "Alf")
    }

    @Test("add model to collection with sort()-style comparator") func addWithTwoArgComparator() {
        let col = SyncCollection(comparator: .areInIncreasingOrder {
            $0.get("name")!.stringValue! < $1.get("name")!.stringValue!
        })
        let tom = SyncModel(["name": "Tom"])
        let rob = SyncModel(["name": "Rob"])
        let tim = SyncModel(["name": "Tim"])
        col.add(tom)
        col.add(rob)
        col.add(tim)
        #expect(col.index(of: rob) == 0)
        #expect(col.index(of: tim) == 1)
        #expect(col.index(of: tom) == 2)
    }

    @Test("remove") func remove() {
        let (col, a, _, _, d) = Self.fixture()
        var removed: String?
        var result: SyncModel?
        col.on("remove") { event in
            if case .remove(let model, _, let options) = event {
                removed = model.get("label")?.stringValue
                #expect(options.index == 3)
                #expect(col.get(model) == nil, "the model is already unindexed")
            }
        }
        var otherRemoved: String?
        d.on("remove") { event in otherRemoved = event.model?.get("label")?.stringValue }
        result = col.remove(d)
        #expect(removed == "d")
        #expect(otherRemoved == "d")
        #expect(result === d)
        #expect(col.count == 3)
        #expect(col.first === a)
        #expect(col.remove(d) == nil, "removing a non-member returns nil")
    }

    @Test("add and remove return values") func addRemoveReturnValues() {
        final class Even: SyncModel {
            override func validate(_ attributes: JSONObject, options: SetOptions) -> JSON? {
                (attributes["id"]?.int64Value ?? 1) % 2 != 0 ? "odd" : nil
            }
        }
        let col = SyncCollection(model: Even.self)
        var list = (try? col.add([["id": 2], ["id": 4]], options: SetOptions(validate: true))) ?? []
        #expect(list.count == 2)
        #expect(list.allSatisfy { $0 != nil })
        list = (try? col.add([["id": 3], ["id": 6]], options: SetOptions(validate: true))) ?? []
        #expect(list.count == 2)
        #expect(list[0] == nil)
        #expect(list[1]?.id == 6)
        let removed = col.remove([col.get(2)!, col.get(6)!])
        #expect(removed.map(\.id) == [2, 6])
        #expect(col.remove([SyncModel(["id": 99])]).isEmpty)
    }

    @Test("shift and pop") func shiftAndPop() throws {
        let col = try SyncCollection(models: [["a": "a"], ["b": "b"], ["c": "c"]])
        #expect(col.shift()?.get("a") == "a")
        #expect(col.pop()?.get("c") == "c")
        #expect(col.count == 1)
        #expect(SyncCollection().pop() == nil)
    }

    @Test("slice") func slice() throws {
        let col = try SyncCollection(models: [["a": "a"], ["b": "b"], ["c": "c"]])
        let array = col.slice(1, 3)
        #expect(array.count == 2)
        #expect(array[0].get("b") == "b")
        #expect(col.slice(-2).count == 2)
    }

    @Test("events are unbound on remove") func eventsUnboundOnRemove() {
        var counter = 0
        let dj = SyncModel()
        let emcees = SyncCollection([dj])
        emcees.on("change") { _ in counter += 1 }
        dj.set("name", "Kool")
        #expect(counter == 1)
        emcees.reset([SyncModel]())
        #expect(dj.collection == nil)
        dj.set("name", "Shadow")
        #expect(counter == 1)
    }

    @Test("remove in multiple collections") func removeMultiple() {
        let e = SyncModel(["id": 5, "title": "Othello"])
        var passed = false
        e.on("remove") { event in
            if case .remove(let model, let collection, _) = event, model === e, collection.count == 0 { passed = true }
        }
        let colE = SyncCollection([e])
        let colF = SyncCollection([e])
        #expect(colE.get(5) === colF.get(5))
        colE.remove(e)
        #expect(passed)
        #expect(colE.count == 0)
        #expect(colF.count == 1)
        colF.remove(e)
        #expect(colF.count == 0)
        #expect(e.collection == nil)
    }

    @Test("remove same model in multiple collection") func removeSameModelMultiple() {
        var counter = 0
        let e = SyncModel(["id": 5, "title": "Othello"])
        e.on("remove") { _ in counter += 1 }
        let colE = SyncCollection([e])
        let colF = SyncCollection([e])
        colE.on("remove") { _ in counter += 1 }
        colF.on("remove") { _ in counter += 1 }
        colE.remove(e)
        #expect(counter == 2)
        #expect(e.collection == nil, "colE owned it")
        colF.remove(e)
        #expect(counter == 4)
    }

    @Test("model destroy removes from all collections") func destroyRemovesFromAll() {
        let e = SyncModel(["id": 5, "title": "Othello"])
        let colE = SyncCollection([e])
        let colF = SyncCollection([e])
        e.destroy()
        #expect(colE.isEmpty)
        #expect(colF.isEmpty)
        #expect(e.collection == nil)
    }

    @Test("toJSON") func toJSON() {
        let (col, _, _, _, _) = Self.fixture()
        #expect(col.toJSON().serialized() == #"[{"id":3,"label":"a"},{"id":2,"label":"b"},{"id":1,"label":"c"},{"id":0,"label":"d"}]"#)
    }

    @Test("where and findWhere") func whereAndFindWhere() throws {
        let model = SyncModel(["a": 1])
        let coll = SyncCollection([model])
        try coll.add([["a": 1], ["a": 1, "b": 2], ["a": 2, "b": 2], ["a": 3]])
        #expect(coll.where(["a": 1]).count == 3)
        #expect(coll.where(["a": 2]).count == 1)
        #expect(coll.where(["a": 3]).count == 1)
        #expect(coll.where(["b": 1]).isEmpty)
        #expect(coll.where(["b": 2]).count == 2)
        #expect(coll.where(["a": 1, "b": 2]).count == 1)
        #expect(coll.findWhere(["a": 1]) === model)
        #expect(coll.findWhere(["a": 4]) == nil)
    }

    @Test("Underscore methods") func swiftCollectionMethods() {
        let (col, a, b, c, d) = Self.fixture()
        #expect(col.map { $0.get("label")!.stringValue! }.joined(separator: " ") == "a b c d")
        #expect(col.contains { $0 === c })
        #expect(!col.contains { $0.id == 99 })
        #expect(col.filter { $0.id!.int64Value! > 1 }.count == 2)
        #expect(col.first(where: { $0.get("label") == "b" }) === b)
        #expect(col.reversed().first === d)
        #expect(col.dropFirst().first === b)
        _ = a
    }

    @Test("reset") func reset() throws {
        let (col, a, b, c, d) = Self.fixture()
        var resetCount = 0
        let models = col.models
        col.on("reset") { _ in resetCount += 1 }
        col.reset([SyncModel]())
        #expect(resetCount == 1)
        #expect(col.isEmpty)
        #expect(col.last == nil)
        col.reset(models)
        #expect(resetCount == 2)
        #expect(col.count == 4)
        #expect(col.last === d)
        try col.reset(models.map { $0.toJSON() })
        #expect(resetCount == 3)
        #expect(col.count == 4)
        #expect(col.last !== d)
        #expect(col.last?.attributes == d.attributes)
        try col.reset([JSON]())
        #expect(col.isEmpty)
        #expect(resetCount == 4)
        _ = (a, b, c)
    }

    @Test("Reset includes previous models in triggered event.") func resetPreviousModels() throws {
        let model = SyncModel()
        let collection = SyncCollection([model])
        collection.on("reset") { event in
            #expect(event.options?.previousModels?.count == 1)
            #expect(event.options?.previousModels?.first === model)
        }
        try collection.reset([JSON]())
    }

    @Test("reset does not alter options by reference") func resetOptionsByValue() throws {
        let col = try SyncCollection(models: [["id": 1]])
        let origModel = col.at(0)!
        let options = SetOptions()
        col.on("reset") { event in #expect(event.options?.previousModels?.first === origModel) }
        try col.reset([JSON](), options: options)
        #expect(options.previousModels == nil)
    }

    @Test("trigger custom events on models") func customEventsBubble() {
        var fired: [JSON] = []
        let a = SyncModel(["id": 3, "label": "a"])
        let col = SyncCollection([a])
        col.on("custom") { event in if case .custom(_, let args) = event { fired = args } }
        a.trigger("custom", 1)
        #expect(fired == [1])
    }

    @Test("#714: access `model.collection` in a brand new model.") func collectionDuringConstruction() {
        final class Probe: SyncModel {
            nonisolated(unsafe) static var sawCollection = false
            required init(_ attributes: JSONObject = [:], options: SetOptions = SetOptions(), collection: SyncCollection? = nil) {
                super.init(attributes, options: options, collection: collection)
                Probe.sawCollection = self.collection != nil
            }
        }
        let collection = SyncCollection(model: Probe.self)
        collection.add(["prop": "value"])
        #expect(Probe.sawCollection)
    }

    @Test("#861, adding models to a collection which do not pass validation, with validate:true") func invalidModelsSkipped() throws {
        final class V: SyncModel {
            override func validate(_ attributes: JSONObject, options: SetOptions) -> JSON? {
                attributes["id"] == 3 ? "id can't be 3" : nil
            }
        }
        let collection = SyncCollection(model: V.self)
        var invalid = 0
        collection.on("invalid") { event in
            if case .collectionInvalid(let c, let error, _) = event {
                #expect(c === collection)
                #expect(error == "id can't be 3")
                invalid += 1
            }
        }
        try collection.add([["id": 1], ["id": 2], ["id": 3], ["id": 4], ["id": 5], ["id": 6]], options: SetOptions(validate: true))
        #expect(collection.pluck("id") == [1, 2, 4, 5, 6])
        #expect(invalid == 1)
    }

    @Test("multiple copies of the same model") func multipleCopies() {
        let col = SyncCollection()
        let model = SyncModel()
        col.add([model, model])
        #expect(col.count == 1)
        col.add([SyncModel(["id": 1]), SyncModel(["id": 1])])
        #expect(col.count == 2)
        #expect(col.last?.id == 1)
    }

    @Test("#964 - collection.get return inconsistent") func getInconsistent() {
        let c = SyncCollection()
        #expect(c.get(nil) == nil)
        #expect(c.get(.null) == nil)
    }

    @Test("null and undefined are invalid ids.") func nullIdsNotIndexed() {
        let model = SyncModel(["id": 1])
        let collection = SyncCollection([model])
        model.set("id", nil)
        #expect(collection.get(.null) == nil)
        model.unset("id")
        #expect(collection.get(.null) == nil)
    }

    @Test("falsy comparator") func falsyComparator() {
        let col = SyncCollection(comparator: nil)
        #expect(col.comparator == nil)
    }

    @Test("#1448 - add sorts collection after merge.") func addSortsAfterMerge() throws {
        let moe = SyncModel(["id": 1, "name": "Moe"])
        let collection = try SyncCollection(models: [["id": 2, "name": "Curly"]], comparator: .attribute("name"))
        collection.add(moe)
        #expect(collection.pluck("name") == ["Curly", "Moe"])
        collection.add(["id": 1, "name": "Alice"], options: SetOptions(merge: true))
        #expect(collection.pluck("name") == ["Alice", "Curly"])
    }

    @Test("#1604 - Removal during iteration.") func removalDuringIteration() throws {
        let collection = try SyncCollection(models: [[:], [:]])
        collection.on("add") { _ in collection.at(0)?.destroy() }
        collection.add([:], options: SetOptions(at: 0))
        #expect(collection.count == 2)
    }

    @Test("#1638 - `sort` during `add` triggers correctly.") func sortDuringAdd() throws {
        let collection = SyncCollection(comparator: .attribute("x"))
        var added: [JSON?] = []
        collection.on("add") { event in
            if case .add(let model, _, _) = event {
                model.set("x", 3)
                try? collection.sort()
                added.append(model.id)
            }
        }
        try collection.add([["id": 1, "x": 1], ["id": 2, "x": 2]])
        #expect(added == [1, 2])
    }

    @Test("set") func set() throws {
        let m1 = SyncModel()
        let m2 = SyncModel(["id": 2])
        let m3 = SyncModel()
        let c = SyncCollection([m1, m2])

        // Test add/change/remove events
        var addCount = 0, changeCount = 0, removeCount = 0
        c.on("add") { event in #expect(event.model === m3); addCount += 1 }
        c.on("change") { event in #expect(event.model === m2); changeCount += 1 }
        c.on("remove") { event in #expect(event.model === m1); removeCount += 1 }

        // remove: false doesn't remove any models
        try c.set([JSON](), options: SetOptions(remove: false))
        #expect(c.count == 2)

        // add: false doesn't add any models
        c.set([m1, m2, m3], options: SetOptions(add: false))
        #expect(c.count == 2)

        // merge: false doesn't change any models
        c.set([.model(m1), .attributes(["id": 2, "a": 1])], options: SetOptions(merge: false))
        #expect(m2.get("a") == nil)

        // add: false, remove: false only merges existing models
        c.set([.model(m1), .attributes(["id": 2, "a": 0]), .model(m3), .attributes(["id": 4])], options: SetOptions(add: false, remove: false))
        #expect(c.count == 2)
        #expect(m2.get("a") == 0)

        // default options add/remove/merge as appropriate
        c.set([.attributes(["id": 2, "a": 1]), .model(m3)])
        #expect(c.count == 2)
        #expect(m2.get("a") == 1)

        // Test removing models not passing an argument
        c.off("remove")
        c.on("remove") { event in #expect(event.model === m2 || event.model === m3) }
        c.set([SyncModel]())
        #expect(c.isEmpty)

        // Test null models on set doesn't clear collection
        c.off()
        c.set([SyncModel(["id": 1])])
        #expect(c.count == 1)
        #expect(addCount == 1)
        #expect(changeCount == 2)
        #expect(removeCount == 1)
    }

    @Test("set with only cids") func setWithOnlyCids() {
        let m1 = SyncModel()
        let m2 = SyncModel()
        let c = SyncCollection()
        c.set([m1, m2])
        #expect(c.count == 2)
        c.set([m1])
        #expect(c.count == 1)
        c.set([m1, m1, m1, m2, m2], options: SetOptions(remove: false))
        #expect(c.count == 2)
    }

    @Test("set with only idAttribute") func setWithOnlyIdAttribute() throws {
        let m1 = MongoModel(["_id": 1])
        let m2 = MongoModel(["_id": 2])
        let c = SyncCollection(model: MongoModel.self)
        c.set([m1, m2])
        #expect(c.count == 2)
        try c.set([["_id": 1]])
        #expect(c.count == 1)
        try c.set([["_id": 1], ["_id": 1], ["_id": 1], ["_id": 2], ["_id": 2]], options: SetOptions(remove: false))
        #expect(c.count == 2)
    }

    @Test("set + merge with default values defined") func setMergeDefaults() throws {
        final class Defaulted: SyncModel {
            override class var defaults: JSONObject { ["key": "value"] }
        }
        let m = Defaulted(["id": 1])
        let col = SyncCollection([m], model: Defaulted.self)
        #expect(col.first?.get("key") == "value")
        try col.set([["id": 1, "key": "other"]])
        #expect(col.first?.get("key") == "other")
        try col.set([["id": 1, "other": "value"]])
        #expect(col.first?.get("key") == "other")
        #expect(col.count == 1)
    }

    @Test("merge without mutation") func mergeWithoutMutation() throws {
        final class Nested: SyncModel {
            override func parse(_ response: JSON, options: SetOptions) -> JSONObject? {
                var o = response.objectValue ?? [:]
                if let child = o["child"]?.objectValue { o["child"] = .object(child) }
                return o
            }
        }
        let data: [JSON] = [["id": 1, "child": ["id": 2]]]
        let collection = SyncCollection(model: Nested.self)
        try collection.set(data, options: SetOptions(parse: true))
        try collection.set(data, options: SetOptions(parse: true))
        #expect(collection.count == 1)
        #expect(data == [["id": 1, "child": ["id": 2]]])
    }

    @Test("`set` matches input order in the absence of a comparator") func setMatchesInputOrder() throws {
        let one = SyncModel(["id": 1])
        let two = SyncModel(["id": 2])
        let three = SyncModel(["id": 3])
        let collection = SyncCollection([one, two, three])
        collection.set([three, two, one])
        #expect(collection.ids == ["3", "2", "1"])
        try collection.set([["id": 1], ["id": 2]])
        #expect(collection.ids == ["1", "2"])
        collection.set([two, three, one])
        #expect(collection.ids == ["2", "3", "1"])
        try collection.set([["id": 1], ["id": 2]], options: SetOptions(remove: false))
        #expect(collection.ids == ["2", "3", "1"])
        try collection.set([["id": 1], ["id": 2], ["id": 3]], options: SetOptions(merge: false))
        #expect(collection.ids == ["1", "2", "3"])
        collection.set([three, two, one, SyncModel(["id": 4])], options: SetOptions(add: false))
        #expect(collection.ids == ["1", "2", "3"])
    }

    @Test("#1894 - Push should not trigger a sort") func pushDoesNotSort() {
        let collection = SyncCollection(comparator: .attribute("id"))
        collection.on("sort") { _ in Issue.record("push must not sort") }
        collection.push(["id": 1])
    }

    @Test("#2428 - push duplicate models, return the correct one") func pushDuplicateReturnsExisting() {
        let col = SyncCollection()
        let model1 = col.push(["id": 101])
        let model2 = col.push(["id": 101])
        #expect(model2 === model1)
    }

    @Test("`set` with non-normal id") func setNonNormalId() throws {
        final class Keyed: SyncCollection {
            override func modelId(_ attributes: JSONObject, idAttribute: String) -> JSON? { attributes["_id"] }
        }
        let collection = Keyed()
        try collection.set([["_id": 1, "a": 1]])
        try collection.set([["_id": 1, "a": 2]])
        #expect(collection.count == 1)
        #expect(collection.first?.get("a") == 2)
    }

    @Test("#1894 - `sort` can optionally be turned off") func sortCanBeTurnedOff() throws {
        let collection = SyncCollection(comparator: .attribute("id"))
        collection.on("sort") { _ in Issue.record("sort must not fire") }
        try collection.add([["id": 2], ["id": 1]], options: SetOptions(sort: false))
        #expect(collection.ids == ["2", "1"])
    }

    @Test("`add` only `sort`s when necessary") func addSortsOnlyWhenNecessary() throws {
        let collection = try SyncCollection(models: [["id": 1], ["id": 2], ["id": 3]], comparator: .attribute("a"))
        var sorts = 0
        collection.on("sort") { _ in sorts += 1 }
        try collection.add([["id": 4]])  // do sort, new model
        try collection.add([["id": 1, "a": 1]], options: SetOptions(merge: true))  // do sort, comparator change
        try collection.add([["id": 1, "b": 1]], options: SetOptions(merge: true))  // don't sort, no comparator change
        try collection.add([["id": 1, "a": 1]], options: SetOptions(merge: true))  // don't sort, no comparator change
        try collection.add(collection.models.map { $0.toJSON() })  // don't sort, nothing new
        try collection.add(collection.models.map { $0.toJSON() }, options: SetOptions(merge: true))  // don't sort
        #expect(sorts == 2)
    }

    @Test("`add` only `sort`s when necessary with comparator function") func addSortsWithFunction() throws {
        let collection = try SyncCollection(
            models: [["id": 1, "a": 1], ["id": 2, "a": 2], ["id": 3, "a": 3]],
            comparator: .areInIncreasingOrder { $0.get("a")!.int64Value! < $1.get("a")!.int64Value! })
        var sorts = 0
        collection.on("sort") { _ in sorts += 1 }
        try collection.add([["id": 4, "a": 4]])  // do sort, new model
        try collection.add([["id": 1, "a": 1, "b": 1]], options: SetOptions(merge: true))  // do sort, model change
        try collection.add([["id": 1, "a": 1, "b": 1]], options: SetOptions(merge: true))  // don't sort, no change
        try collection.add(collection.models.map { $0.toJSON() })  // don't sort, nothing new
        #expect(sorts == 2)
    }

    @Test("`add` overrides `set` flags") func addOverridesSetFlags() {
        let collection = SyncCollection()
        collection.once("add") { _ in }
        collection.add(["id": 1], options: SetOptions(add: false))
        #expect(collection.count == 1)
        collection.add(["id": 2], options: SetOptions(remove: true))
        #expect(collection.count == 2)
    }

    @Test("Do not allow duplicate models to be `add`ed or `set`") func noDuplicates() throws {
        let collection = SyncCollection()
        try collection.add([["id": 1], ["id": 1]])
        #expect(collection.count == 1)
        #expect(collection.models.count == 1)
        try collection.set([["id": 1], ["id": 1]])
        #expect(collection.count == 1)
        #expect(collection.models.count == 1)
    }

    @Test("#3020: #set with {add: false} should not throw.") func setAddFalse() throws {
        let collection = SyncCollection()
        try collection.set([["id": 1]], options: SetOptions(add: false))
        #expect(collection.isEmpty)
    }

    @Test("#3039 #3951: adding at index fires with correct at") func addAtIndexFires() throws {
        let collection = try SyncCollection(models: [["id": 0], ["id": 4]])
        var seen: [String] = []
        collection.on("add") { event in
            if case .add(let model, _, let options) = event {
                seen.append("\(model.id!.serialized())@\(options.index.map(String.init) ?? "-")")
            }
        }
        try collection.add([["id": 1], ["id": 2], ["id": 3]], options: SetOptions(at: 1))
        #expect(seen == ["1@1", "2@2", "3@3"])
    }

    @Test("#3039: index is not sent when at is not specified") func indexNotSentWithoutAt() throws {
        let collection = try SyncCollection(models: [["id": 0]])
        collection.on("add") { event in #expect(event.options?.index == nil) }
        try collection.add([["id": 1], ["id": 2]])
    }

    @Test("#3199 - Order changing should trigger a sort") func orderChangeSorts() throws {
        let one = SyncModel(["id": 1]), two = SyncModel(["id": 2]), three = SyncModel(["id": 3])
        let collection = SyncCollection([one, two, three])
        var sorted = false
        collection.on("sort") { _ in sorted = true }
        collection.set([two, one, three])
        #expect(sorted)
    }

    @Test("#3199 - Adding a model should trigger a sort") func addingSorts() throws {
        let one = SyncModel(["id": 1]), two = SyncModel(["id": 2]), three = SyncModel(["id": 3])
        let collection = SyncCollection([one, two, three])
        var sorted = false
        collection.on("sort") { _ in sorted = true }
        collection.set([one, two, three, SyncModel(["id": 4])])
        #expect(sorted)
    }

    @Test("#3199 - Order not changing should not trigger a sort") func orderSameNoSort() throws {
        let one = SyncModel(["id": 1]), two = SyncModel(["id": 2]), three = SyncModel(["id": 3])
        let collection = SyncCollection([one, two, three])
        collection.on("sort") { _ in Issue.record("no sort expected") }
        try collection.set([["id": 1], ["id": 2], ["id": 3]])
    }

    @Test("adding multiple models triggers `update` event once") func addUpdateOnce() throws {
        let collection = SyncCollection()
        var updates = 0
        collection.on("update") { _ in updates += 1 }
        try collection.add([["id": 1], ["id": 2], ["id": 3]])
        #expect(updates == 1)
    }

    @Test("removing models triggers `update` event once") func removeUpdateOnce() throws {
        let collection = try SyncCollection(models: [["id": 1], ["id": 2], ["id": 3]])
        var updates = 0
        collection.on("update") { _ in updates += 1 }
        collection.remove(collection.models)
        #expect(updates == 1)
    }

    @Test("remove does not trigger `update` when nothing removed") func removeNothingNoUpdate() throws {
        let collection = try SyncCollection(models: [["id": 1], ["id": 2]])
        collection.on("update") { _ in Issue.record("no update expected") }
        collection.remove([SyncModel(["id": 3])])
    }

    @Test("set triggers `set` event once") func setUpdateOnce() throws {
        let collection = try SyncCollection(models: [["id": 1], ["id": 2]])
        var updates = 0
        collection.on("update") { _ in updates += 1 }
        try collection.set([["id": 1], ["id": 3]])
        #expect(updates == 1)
    }

    @Test("set does not trigger `update` event when nothing added nor removed") func setNothingNoUpdate() throws {
        let collection = try SyncCollection(models: [["id": 1], ["id": 2]])
        var updates = 0
        collection.on("update") { event in
            updates += 1
            #expect(event.options?.changes?.added.isEmpty == true)
            #expect(event.options?.changes?.removed.isEmpty == true)
            #expect(event.options?.changes?.merged.count == 2)
        }
        try collection.set([["id": 1], ["id": 2]])
        #expect(updates == 1, "merged models count even when nothing changed")
    }

    @Test("#3662 - triggering change without model will not error") func changeWithoutModel() {
        let collection = SyncCollection([SyncModel(["id": 1])])
        let model = collection.first!
        var fired = false
        collection.on("change") { event in
            #expect(event.model == nil)
            fired = true
        }
        model.trigger("change")
        #expect(fired)
    }

    @Test("#3871 - falsy parse result creates empty collection") func falsyParse() throws {
        final class NullParse: SyncCollection {
            override func parse(_ response: JSON, options: SetOptions) -> [JSON] { [] }
        }
        let collection = NullParse()
        try collection.set([["id": 1]], options: SetOptions(parse: true))
        #expect(collection.isEmpty)
    }

    @Test("#3961 - add events sends options.index that correspond to wrong index") func addIndexes() throws {
        let numModels = 4
        let collection = try SyncCollection(models: [["id": 1], ["id": 2]])
        var indexes: [Int] = []
        collection.on("add") { event in indexes.append(event.options?.index ?? -1) }
        try collection.add((0..<numModels).map { ["id": .int(Int64(10 + $0))] }, options: SetOptions(at: 0))
        #expect(indexes == [0, 1, 2, 3])
    }

    @Test("_addReference binds all collection events & adds to the lookup hashes") func addReference() {
        let collection = SyncCollection()
        let model = SyncModel(["id": 1])
        collection.add(model)
        #expect(collection.get(.string(model.cid)) === model)
        #expect(collection.get(1) === model)
        var fired = false
        collection.on("custom") { _ in fired = true }
        model.trigger("custom")
        #expect(fired)
    }

    @Test("Collection implements Iterable, values is default iterator function") func iteration() throws {
        let collection = try SyncCollection(models: [["id": 1], ["id": 2]])
        var ids: [JSON?] = []
        for model in collection { ids.append(model.id) }
        #expect(ids == [1, 2])
    }

    @Test("Collection.values iterates models in sorted order") func iterationSorted() {
        let one = SyncModel(["id": 1]), two = SyncModel(["id": 2]), three = SyncModel(["id": 3])
        let collection = SyncCollection([one, two, three], comparator: .areInIncreasingOrder {
            $0.id!.int64Value! > $1.id!.int64Value!
        })
        #expect(collection.map(\.id) == [3, 2, 1])
    }
}
