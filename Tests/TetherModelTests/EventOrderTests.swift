import Testing
import TetherModel

/// One test per event-order rule of ../shared/reference/backbone-semantics.md (sections 1-3).
@Suite struct EventOrderTests {
    // MARK: Events (section 1)

    @Test("trigger of several names: handlers then all, per name") func triggerSeveralNames() {
        let obj = Emitter()
        var log: [String] = []
        obj.on("a") { _ in log.append("a") }
        obj.on("b") { _ in log.append("b") }
        obj.on("all") { event in log.append("all:" + event.name) }
        obj.trigger("a b")
        #expect(log == ["a", "all:a", "b", "all:b"])
    }

    @Test("handlers fire in registration order, duplicates once per registration") func registrationOrder() {
        let obj = Emitter()
        var log: [Int] = []
        let f: EventHandler = { _ in log.append(1) }
        obj.on("e", f)
        obj.on("e") { _ in log.append(2) }
        obj.on("e", f)
        obj.trigger("e")
        #expect(log == [1, 2, 1])
    }

    @Test("listenTo handlers sit in the emitter's list in registration order") func listenToOrder() {
        let emitter = Emitter(), listener = Emitter()
        var log: [String] = []
        emitter.on("e") { _ in log.append("own1") }
        listener.listenTo(emitter, "e") { _ in log.append("listener") }
        emitter.on("e") { _ in log.append("own2") }
        emitter.trigger("e")
        #expect(log == ["own1", "listener", "own2"])
        listener.stopListening()
        emitter.trigger("e")
        #expect(log == ["own1", "listener", "own2", "own1", "own2"])
    }

    @Test("off with several criteria removes only handlers matching all of them") func offMatchesAllCriteria() {
        let obj = Emitter(), ctx = Emitter()
        var log: [String] = []
        let t = obj.on("e", context: ctx) { _ in log.append("ctx") }
        obj.on("e") { _ in log.append("plain") }
        obj.off("e", token: t, context: Emitter())  // context does not match: nothing removed
        obj.trigger("e")
        obj.off("other", token: t)  // name does not match
        obj.trigger("e")
        obj.off("e", token: t, context: ctx)
        obj.trigger("e")
        #expect(log == ["ctx", "plain", "ctx", "plain", "plain"])
    }

    @Test("once unregisters itself before running, so re-triggering inside does not re-enter") func onceUnregistersFirst() {
        let obj = Emitter()
        var count = 0
        obj.once("e") { _ in
            count += 1
            obj.trigger("e")
        }
        obj.trigger("e")
        #expect(count == 1)
        #expect(obj.eventHub.isEmpty)
    }

    @Test("nested triggers dispatch depth-first against the current lists") func nestedDepthFirst() {
        let obj = Emitter()
        var log: [String] = []
        obj.on("a") { _ in log.append("a1"); obj.trigger("b"); log.append("a1-end") }
        obj.on("a") { _ in log.append("a2") }
        obj.on("b") { _ in log.append("b") }
        obj.trigger("a")
        #expect(log == ["a1", "b", "a1-end", "a2"])
    }

    // MARK: Model set (section 2.4)

    @Test("one set: changeId, change:attr in key order, then one change") func setEventOrder() {
        let model = SyncModel(["id": 1, "a": 1, "b": 1])
        let log = EventLog()
        log.record(model)
        model.set(["b": 2, "id": 2, "a": 2])
        #expect(log.entries == ["changeId 1->2", "change:b=2", "change:id=2", "change:a=2", "change"])
    }

    @Test("all attributes are written before the first change:attr fires") func writesBeforeEvents() {
        let model = SyncModel()
        var seen: [JSON?] = []
        model.on("change:a") { _ in seen = [model.get("a"), model.get("b")] }
        model.set(["a": 1, "b": 2])
        #expect(seen == [1, 2])
    }

    @Test("change:attr value is read when its turn comes") func valueReadAtTurn() {
        let model = SyncModel()
        var bValue: JSON?
        model.on("change:a") { _ in model.set("b", 99) }
        model.on("change:b") { event in
            if case .changeAttribute(_, _, let value, _) = event, bValue == nil { bValue = value }
        }
        model.set(["a": 1, "b": 2])
        // The nested set changed b to 99 and fired change:b=99 first; the outer change:b then reads 99 too.
        #expect(bValue == 99)
    }

    @Test("nested set during change:x fires its change:y first and only one change with the nested options") func nestedDuringChangeAttr() {
        let model = SyncModel()
        let log = EventLog()
        log.record(model)
        var options: [JSON?] = []
        model.on("change") { event in options.append(event.options?["tag"]) }
        model.on("change:x") { _ in model.set("y", 1, options: SetOptions(userInfo: ["tag": "nested"])) }
        model.set(["x": 1, "z": 1], options: SetOptions(userInfo: ["tag": "outer"]))
        #expect(log.entries == ["change:y=1", "change:x=1", "change:z=1", "change"])
        #expect(options == ["nested"])
    }

    @Test("nested set during change that changes something fires another change") func nestedDuringChange() {
        let model = SyncModel()
        var changes = 0
        model.on("change") { _ in
            changes += 1
            if changes == 1 { model.set("y", 1) }
        }
        model.set("x", 1)
        #expect(changes == 2)
    }

    @Test("nested silent set: no events, but visible in changed for later handlers") func nestedSilentVisible() {
        let model = SyncModel()
        var changedInChange: [String] = []
        model.on("change:x") { _ in model.set("s", 1, options: .silent) }
        model.on("change") { _ in changedInChange = model.changedKeys }
        model.set("x", 1)
        #expect(changedInChange == ["x", "s"])
    }

    @Test("previous inside nested events refers to the state before the outermost set") func previousAcrossNested() {
        let model = SyncModel(["x": 0, "y": 0])
        var previousY: JSON??
        model.on("change:x") { _ in model.set("y", 5) }
        model.on("change") { _ in previousY = .some(model.previous("y")) }
        model.set("x", 1)
        #expect(previousY == .some(0))
        #expect(model.previousAttributes() == ["x": 0, "y": 0])
    }

    @Test("changed and previous persist until the next outermost set") func trackingPersists() {
        let model = SyncModel(["x": 0])
        model.set("x", 1)
        #expect(model.changed == ["x": 1])
        #expect(model.previous("x") == 0)
        model.set("x", 1)  // changes nothing, still resets
        #expect(model.changed == [:])
        #expect(model.previous("x") == 1)
    }

    @Test("changeId fires even for silent sets, before change events") func changeIdSilent() {
        let model = SyncModel(["id": 1])
        let log = EventLog()
        log.record(model)
        model.set("id", 2, options: .silent)
        #expect(log.entries == ["changeId 1->2"])
    }

    @Test("silent outer set with a nested set from changeId: change:attr fires, change does not") func silentOuterNested() {
        let model = SyncModel(["id": 1])
        let log = EventLog()
        model.on("changeId") { _ in model.set("other", 1) }
        log.record(model)
        model.set("id", 2, options: .silent)
        #expect(log.entries == ["change:other=1", "changeId 1->2"])
    }

    @Test("a fresh model has no changes and empty previous attributes") func freshModel() {
        let model = SyncModel(["a": 1])
        #expect(!model.hasChanged())
        #expect(model.changedAttributes() == nil)
        #expect(model.previousAttributes() == [:])
        #expect(model.previous("a") == nil)
    }

    // MARK: Collection set (section 3.4)

    @Test("set that merges, removes and adds: merges, removes, adds, sort, update") func collectionSetOrder() throws {
        let col = try SyncCollection(models: [["id": 1, "v": 0], ["id": 2], ["id": 3, "v": 0], ["id": 4]])
        let log = EventLog()
        log.record(col)
        try col.set([["id": 3, "v": 1], ["id": 5], ["id": 1, "v": 1], ["id": 6]])
        #expect(log.entries == [
            "change:v=1", "change", "change:v=1", "change",
            "remove 2@1", "remove 4@2",
            "add 5", "add 6", "sort", "update",
        ])
        #expect(col.ids == ["3", "5", "1", "6"])
    }

    @Test("removed models are out of the collection when remove fires, but keep model.collection") func removeState() throws {
        let col = try SyncCollection(models: [["id": 1], ["id": 2], ["id": 3]])
        var checked = false
        col.on("remove") { event in
            guard let model = event.model else { return }
            #expect(col.get(model) == nil)
            #expect(col.count == 2)
            #expect(model.collection === col)
            checked = true
        }
        try col.set([["id": 1], ["id": 3]])
        #expect(checked)
        #expect(col.get(2) == nil)
    }

    @Test("add events see the final placement") func addFinalPlacement() throws {
        let col = try SyncCollection(models: [["id": 1]])
        var indexes: [Int?] = []
        col.on("add") { event in indexes.append(event.model.flatMap { col.index(of: $0) }) }
        try col.set([["id": 2], ["id": 1], ["id": 3]])
        #expect(indexes == [0, 2])
    }

    @Test("only removing or only merging does not fire sort; reordering does") func sortRules() throws {
        let col = try SyncCollection(models: [["id": 1], ["id": 2], ["id": 3]])
        var sorts = 0
        col.on("sort") { _ in sorts += 1 }
        try col.set([["id": 1], ["id": 3]])
        #expect(sorts == 0)
        try col.set([["id": 1, "x": 1], ["id": 3]])
        #expect(sorts == 0)
        try col.set([["id": 3], ["id": 1]])
        #expect(sorts == 1)
        try col.add([["id": 9]])
        #expect(sorts == 1, "add without comparator never sorts")
    }

    @Test("update reports merged models even when nothing changed") func updateMerged() throws {
        let col = try SyncCollection(models: [["id": 1]])
        var merged = 0
        col.on("update") { event in merged = event.options?.changes?.merged.count ?? -1 }
        try col.set([["id": 1]])
        #expect(merged == 1)
    }

    @Test("a duplicate in one input is added then merged: its change fires before its add") func duplicateInInput() throws {
        let col = SyncCollection()
        let log = EventLog()
        log.record(col)
        try col.set([["id": 1, "v": 1], ["id": 1, "v": 2]])
        #expect(log.entries == ["change:v=2", "change", "add 1", "sort", "update"])
        #expect(col.count == 1)
    }

    @Test("silent collection set fires nothing, including merged models' events") func silentCollectionSet() throws {
        let col = try SyncCollection(models: [["id": 1, "v": 0]])
        let log = EventLog()
        log.record(col)
        try col.set([["id": 1, "v": 1], ["id": 2]], options: .silent)
        #expect(log.entries.isEmpty)
        #expect(col.get(1)?.get("v") == 1)
    }

    @Test("merged models' change events carry the collection's options") func mergeOptions() throws {
        let col = try SyncCollection(models: [["id": 1, "v": 0]])
        var options: SetOptions?
        col.on("change") { event in options = event.options }
        try col.set([["id": 1, "v": 1]], options: SetOptions(userInfo: ["from": "server"]))
        #expect(options?["from"] == "server")
        #expect(options?.add == true && options?.remove == true && options?.merge == true)
    }

    @Test("model events bubble: model handlers first, then the collection (via the model's all list)") func bubblingOrder() throws {
        let col = try SyncCollection(models: [["id": 1]])
        let model = col.first!
        var log: [String] = []
        model.on("all") { event in log.append("model-all:" + event.name) }  // registered after the collection
        model.on("change:v") { _ in log.append("model:change:v") }
        col.on("change:v") { _ in log.append("collection:change:v") }
        model.set("v", 1)
        #expect(log == ["model:change:v", "collection:change:v", "model-all:change:v", "model-all:change"])
    }

    @Test("changeId re-indexes even on silent sets") func reindexSilent() throws {
        let col = try SyncCollection(models: [["id": 1]])
        col.first!.set("id", 7, options: .silent)
        #expect(col.get(1) == nil)
        #expect(col.get(7) != nil)
    }

    @Test("destroy with two collections: each removes, updates, re-emits destroy in order") func destroyOrder() {
        let model = SyncModel(["id": 1])
        let c1 = SyncCollection([model])
        let c2 = SyncCollection([model])
        var log: [String] = []
        c1.on("all") { event in log.append("c1:" + event.name) }
        c2.on("all") { event in log.append("c2:" + event.name) }
        model.destroy()
        #expect(log == ["c1:remove", "c1:update", "c1:destroy", "c2:remove", "c2:update", "c2:destroy"])
        #expect(c1.isEmpty && c2.isEmpty)
        #expect(model.collection == nil)
    }

    @Test("add/remove events from another collection are not re-emitted") func foreignAddIgnored() {
        let model = SyncModel(["id": 1])
        let c1 = SyncCollection([model])
        let c2 = SyncCollection()
        var c1Adds = 0
        c1.on("add") { _ in c1Adds += 1 }
        c2.add(model)
        #expect(c1Adds == 0)
    }

    @Test("ids are coerced like JavaScript object keys: 2 and \"2\" are the same") func idCoercion() throws {
        let col = try SyncCollection(models: [["id": 1, "v": 0]])
        try col.add([["id": "1", "v": 1]], options: SetOptions(merge: true))
        #expect(col.count == 1)
        #expect(col.get("1")?.get("v") == 1)
        #expect(col.get(1.0) === col.get(1))
    }

    @Test("a comparator sort is stable") func stableSort() throws {
        let col = try SyncCollection(
            models: (0..<50).map { ["id": .int(Int64($0)), "k": .int(Int64($0 % 3))] }, comparator: .attribute("k"))
        let keys = col.map { ($0.get("k")!.int64Value!, $0.id!.int64Value!) }
        for (a, b) in zip(keys, keys.dropFirst()) {
            #expect(a.0 < b.0 || (a.0 == b.0 && a.1 < b.1))
        }
    }

    @Test("reset fires no add/remove, only reset") func resetEvents() throws {
        let col = try SyncCollection(models: [["id": 1]])
        let log = EventLog()
        log.record(col)
        try col.reset([["id": 2], ["id": 3]])
        #expect(log.entries == ["reset"])
    }

    @Test("bad input is rejected atomically with a typed error") func badInput() throws {
        let col = try SyncCollection(models: [["id": 1]])
        let log = EventLog()
        log.record(col)
        #expect(throws: ModelError.elementNotAnObject(index: 1, type: "number")) {
            try col.set([["id": 2], 5])
        }
        #expect(col.ids == ["1"])
        #expect(log.entries.isEmpty)
        #expect(throws: ModelError.noComparator) { try col.sort() }
    }
}
