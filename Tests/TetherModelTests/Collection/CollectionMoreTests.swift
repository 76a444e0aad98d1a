import Testing
import TetherModel

/// More ports of Backbone's test/collection.js and test/model.js (reset, parse, modelId, identity).
@Suite struct CollectionMoreTests {
    @Test("reset with different values") func resetWithDifferentValues() throws {
        let collection = try SyncCollection(models: [["id": 1], ["id": 2, "a": 1]])
        try collection.reset([["id": 1], ["id": 2, "a": 2]])
        #expect(collection.get(2)?.get("a") == 2)
    }

    @Test("same references in reset") func sameReferencesInReset() {
        let model = SyncModel(["id": 1])
        let collection = SyncCollection([model])
        collection.reset([model])
        #expect(collection.get(1) === model)
    }

    @Test("reset passes caller options") func resetPassesCallerOptions() throws {
        final class Probe: SyncModel {
            nonisolated(unsafe) static var seen: [JSON?] = []
            required init(_ attributes: JSONObject = [:], options: SetOptions = SetOptions(), collection: SyncCollection? = nil) {
                Probe.seen.append(options["modelParameter"])
                super.init(attributes, options: options, collection: collection)
            }
        }
        let collection = SyncCollection(model: Probe.self)
        try collection.reset([["astring": "green", "anumber": 1], ["astring": "blue", "anumber": 2]],
                             options: SetOptions(userInfo: ["modelParameter": "model parameter"]))
        #expect(collection.count == 2)
        #expect(Probe.seen == ["model parameter", "model parameter"])
    }

    @Test("add does not alter arguments") func addDoesNotAlterArguments() throws {
        let attrs: [JSON] = [["id": 1]]
        let collection = SyncCollection()
        try collection.add(attrs)
        #expect(attrs == [["id": 1]])
    }

    @Test("Invalid models are discarded with validate:true.") func invalidDiscarded() throws {
        final class V: SyncModel {
            override func validate(_ attributes: JSONObject, options: SetOptions) -> JSON? {
                attributes["valid"] == true ? nil : "invalid"
            }
        }
        let collection = SyncCollection(model: V.self)
        var invalid = 0
        collection.on("invalid") { _ in invalid += 1 }
        try collection.add([["valid": false]], options: SetOptions(validate: true))
        #expect(collection.isEmpty)
        #expect(invalid == 1)
        try collection.add([["valid": true]], options: SetOptions(validate: true))
        #expect(collection.count == 1)
    }

    @Test("#1407 parse option on reset parses collection and models") func parseOnReset() throws {
        final class Parsed: SyncModel {
            override func parse(_ response: JSON, options: SetOptions) -> JSONObject? {
                var o = response.objectValue ?? [:]
                o["name"] = .string((o["name"]?.stringValue ?? "") + "!")
                return o
            }
        }
        final class Wrapped: SyncCollection {
            override func parse(_ response: JSON, options: SetOptions) -> [JSON] {
                response[0]?["models"]?.arrayValue ?? []
            }
        }
        let collection = Wrapped(model: Parsed.self)
        try collection.reset([["models": [["id": 1, "name": "a"], ["id": 2, "name": "b"]]]], options: SetOptions(parse: true))
        #expect(collection.count == 2)
        #expect(collection.first?.get("name") == "a!")
    }

    @Test("`set` and model level `parse`") func setModelLevelParse() throws {
        final class Parsed: SyncModel {
            override func parse(_ response: JSON, options: SetOptions) -> JSONObject? { response["model"]?.objectValue }
        }
        let collection = SyncCollection(model: Parsed.self)
        try collection.set([["model": ["id": 1]]], options: SetOptions(parse: true))
        #expect(collection.first?.id == 1)
    }

    @Test("`set` data is only parsed once") func parsedOnce() throws {
        final class Counting: SyncModel {
            nonisolated(unsafe) static var parses = 0
            override func parse(_ response: JSON, options: SetOptions) -> JSONObject? {
                Counting.parses += 1
                return response.objectValue
            }
        }
        let collection = SyncCollection(model: Counting.self)
        try collection.set([[:]], options: SetOptions(parse: true))
        #expect(Counting.parses == 1)
    }

    @Test("#1939 - `parse` is passed `options`") func parsePassedOptions() throws {
        final class Checking: SyncCollection {
            nonisolated(unsafe) static var saw: JSON?
            override func parse(_ response: JSON, options: SetOptions) -> [JSON] {
                Checking.saw = options["someOption"]
                return response.arrayValue ?? []
            }
        }
        let collection = Checking()
        var options = SetOptions(parse: true)
        options["someOption"] = true
        try collection.set([["id": 1]], options: options)
        #expect(Checking.saw == true)
    }

    @Test("modelId") func modelId() throws {
        final class Keyed: SyncCollection {
            override func modelId(_ attributes: JSONObject, idAttribute: String) -> JSON? {
                guard let type = attributes["type"]?.stringValue, let id = attributes["id"] else { return nil }
                return .string(type + "-" + id.serialized())
            }
        }
        let collection = Keyed()
        try collection.set([["type": "a", "id": 1], ["type": "b", "id": 1]])
        #expect(collection.count == 2)
        #expect(collection.get("a-1")?.get("type") == "a")
        #expect(collection.get(attributes: ["type": "b", "id": 1])?.get("type") == "b")
    }

    @Test("get models with `attributes` key") func attributesKey() throws {
        let collection = try SyncCollection(models: [["id": 1, "attributes": ["x": 1]]])
        #expect(collection.get(1)?.get("attributes") == ["x": 1])
    }

    @Test("Collection: non-persisted model destroy removes from all collections") func nonPersistedDestroy() {
        let e = SyncModel(["title": "Othello"])
        let colE = SyncCollection([e])
        let colF = SyncCollection([e])
        e.destroy()
        #expect(colE.isEmpty)
        #expect(colF.isEmpty)
    }

    @Test("listenTo and stopListening cleaning up references") func listenToStopListeningCleanup() {
        let a = Emitter(), b = Emitter()
        let fn: EventHandler = { _ in }
        a.listenTo(b, "all", fn)
        b.trigger("anything")
        a.listenTo(b, "other", fn)
        a.stopListening(b, "other")
        #expect(a.eventHub.isListening(to: b))
        a.stopListening(b, "all")
        #expect(!a.eventHub.isListening(to: b))
    }

    @Test("hasChanged/set should use same comparison") func sameComparison() {
        var changed = 0
        let model = SyncModel(["a": nil])
        model.on("change") { _ in #expect(model.hasChanged("a")) }
        model.on("change:a") { _ in changed += 1 }
        model.set("a", .null)  // null -> null: no change
        model.set("a", 0)
        #expect(changed == 1)
    }

    @Test("set value regardless of equality/change") func setRegardless() {
        let model = SyncModel(["x": []])
        let a: JSON = []
        model.set("x", a)
        #expect(model.get("x") == a)
    }

    @Test("initialize") func initialize() {
        final class Initialized: SyncModel {
            var one = 0
            required init(_ attributes: JSONObject = [:], options: SetOptions = SetOptions(), collection: SyncCollection? = nil) {
                super.init(attributes, options: options, collection: collection)
                one = 1
                #expect(self.collection === collection)
            }
        }
        let collection = SyncCollection(model: Initialized.self)
        let model = collection.add(["x": 1]) as? Initialized
        #expect(model?.one == 1)
        #expect(model?.collection === collection)
    }

    @Test("Inherit class properties") func inheritClassProperties() {
        class Parent: SyncModel {
            override class var defaults: JSONObject { ["a": 1] }
        }
        final class Child: Parent {
            override class var idAttribute: String { "key" }
        }
        let child = Child(["key": 5])
        #expect(child.get("a") == 1)
        #expect(child.id == 5)
        #expect(!(child.clone() as Child).isNew)
    }

    @Test("#4289 - Trigger \"changeId\" need to be generate only if the content id change") func changeIdOnlyWhenChanged() {
        let model = SyncModel(["id": 1])
        var fired = 0
        model.on("changeId") { _ in fired += 1 }
        model.set("id", 1)
        model.set(["id": 1, "x": 2])
        #expect(fired == 0)
        model.set("id", 2)
        #expect(fired == 1)
    }
}
