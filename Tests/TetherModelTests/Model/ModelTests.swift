import Testing
import TetherModel

/// A model whose validate hook rejects any change of `admin` (as in Backbone's test setup).
final class ValidatedModel: SyncModel {
    override func validate(_ attributes: JSONObject, options: SetOptions) -> JSON? {
        attributes["admin"] != get("admin") ? "Can't change admin status." : nil
    }
}

final class DefaultsModel: SyncModel {
    override class var defaults: JSONObject { ["one": 1, "two": 2] }
}

final class MongoModel: SyncModel {
    override class var idAttribute: String { "_id" }
}

final class PrefixedModel: SyncModel {
    override class var cidPrefix: String { "m" }
}

final class ParsingModel: SyncModel {
    override func parse(_ response: JSON, options: SetOptions) -> JSONObject? {
        guard var object = response.objectValue else { return nil }
        if let value = object["value"]?.int64Value { object["value"] = .int(value + 1) }
        return object
    }
}

/// Ports of Backbone's test/model.js (network cases excluded; see docs/BACKBONE-DIFFERENCES.md).
@Suite struct ModelTests {
    @Test("initialize with parsed attributes") func initializeWithParse() {
        let model = ParsingModel(["value": 1], options: SetOptions(parse: true))
        #expect(model.get("value") == 2)
    }

    @Test("parse can return null") func parseCanReturnNull() {
        final class NullParse: SyncModel {
            override func parse(_ response: JSON, options: SetOptions) -> JSONObject? { nil }
        }
        let model = NullParse(["value": 1], options: SetOptions(parse: true))
        #expect(model.toJSON() == [:])
    }

    @Test("clone") func clone() {
        let a = SyncModel(["foo": 1, "bar": 2, "baz": 3])
        let b = a.clone()
        #expect(a.get("foo") == 1 && b.get("foo") == 1)
        #expect(a.cid != b.cid)
        a.set("foo", 100)
        #expect(a.get("foo") == 100)
        #expect(b.get("foo") == 1, "changing the parent does not change the clone")
        let foo = SyncModel(["p": 1])
        let bar = SyncModel(["p": 2])
        bar.set(foo.clone().attributes, options: .silent)
        #expect(foo.get("p") == 1)
        #expect(bar.get("p") == 1)
    }

    @Test("isNew") func isNew() {
        #expect(SyncModel(["foo": 1]).isNew)
        #expect(!SyncModel(["id": -5]).isNew)
        #expect(!SyncModel(["id": 0]).isNew)
        #expect(SyncModel(["id": nil]).isNew)
        #expect(!SyncModel(["id": "a"]).isNew)
    }

    @Test("get") func get() {
        let doc = SyncModel(["id": "1-the-tempest", "title": "The Tempest", "author": "Bill Shakespeare", "length": 123])
        #expect(doc.get("title") == "The Tempest")
        #expect(doc.get("author") == "Bill Shakespeare")
        #expect(doc.get("missing") == nil)
    }

    @Test("escape") func escape() {
        let doc = SyncModel(["audience": "Bill & Bob"])
        #expect(doc.escape("audience") == "Bill &amp; Bob")
        doc.set("audience", "Tim > Joan")
        #expect(doc.escape("audience") == "Tim &gt; Joan")
        doc.set("audience", 10101)
        #expect(doc.escape("audience") == "10101")
        doc.unset("audience")
        #expect(doc.escape("audience") == "")
        doc.set("audience", "<'\"`&>")
        #expect(doc.escape("audience") == "&lt;&#x27;&quot;&#x60;&amp;&gt;")
        doc.set("audience", nil)
        #expect(doc.escape("audience") == "")
    }

    @Test("has") func has() {
        let model = SyncModel()
        #expect(!model.has("name"))
        model.set(["0": 0, "1": 1, "true": true, "false": false, "empty": "", "name": "name", "null": nil])
        for key in ["0", "1", "true", "false", "empty", "name"] { #expect(model.has(key)) }
        #expect(!model.has("null"))
        model.unset("name")
        #expect(!model.has("name"))
    }

    @Test("matches") func matches() {
        let model = SyncModel()
        #expect(!model.matches(["name": "Jonas", "cool": true]))
        model.set(["name": "Jonas", "cool": true])
        #expect(model.matches(["name": "Jonas"]))
        #expect(model.matches(["name": "Jonas", "cool": true]))
        #expect(!model.matches(["name": "Jonas", "cool": false]))
    }

    @Test("set and unset") func setAndUnset() {
        let a = SyncModel(["id": "id", "foo": 1, "bar": 2, "baz": 3])
        var changeCount = 0
        a.on("change:foo") { _ in changeCount += 1 }
        a.set("foo", 2)
        #expect(a.get("foo") == 2)
        #expect(changeCount == 1)
        a.set("foo", 2)
        #expect(changeCount == 1, "setting the same value is not a change")
        a.unset("foo")
        #expect(a.get("foo") == nil)
        #expect(changeCount == 2)
        a.unset("id")
        #expect(a.id == nil, "unsetting the id removes the id property")
    }

    @Test("#2030 - set with failed validate, followed by another set triggers change") func failedValidateThenSet() {
        var attr = 0, main = 0, error = 0
        final class V: SyncModel {
            override func validate(_ attributes: JSONObject, options: SetOptions) -> JSON? {
                attributes["x"]?.int64Value ?? 0 > 1 ? "this is an error" : nil
            }
        }
        let model = V(["x": 0])
        model.on("change:x") { _ in attr += 1 }
        model.on("change") { _ in main += 1 }
        model.set("x", 2, options: SetOptions(validate: true))
        model.set("x", 1, options: SetOptions(validate: true))
        #expect(attr == 1 && main == 1 && error == 0)
        model.on("invalid") { _ in error += 1 }
        model.set("x", 5, options: SetOptions(validate: true))
        #expect(error == 1)
    }

    @Test("set triggers changes in the correct order") func setOrder() {
        var value: String?
        let model = SyncModel()
        model.on("last") { _ in value = "last" }
        model.on("first") { _ in value = "first" }
        model.trigger("first")
        model.trigger("last")
        #expect(value == "last")
    }

    @Test("set falsy values in the correct order") func setFalsyValues() {
        let model = SyncModel(["result": "result"])
        var previous: JSON??
        model.on("change") { _ in previous = .some(model.previous("result")) }
        model.set(["result": nil, "other": false])
        #expect(previous == .some("result"))
        #expect(model.get("result") == .null)
    }

    @Test("nested set triggers with the correct options") func nestedSetOptions() {
        let model = SyncModel()
        var o1 = SetOptions(), o2 = SetOptions(), o3 = SetOptions()
        o1["o"] = 1
        o2["o"] = 2
        o3["o"] = 3
        model.on("change") { event in
            switch model.get("a") {
            case 1:
                #expect(event.options?["o"] == 1)
                model.set("a", 2, options: o2)
            case 2:
                #expect(event.options?["o"] == 2)
                model.set("a", 3, options: o3)
            case 3:
                #expect(event.options?["o"] == 3)
            default:
                Issue.record("unexpected value")
            }
        }
        model.set("a", 1, options: o1)
        #expect(model.get("a") == 3)
    }

    @Test("multiple unsets") func multipleUnsets() {
        var i = 0
        let model = SyncModel(["a": 1])
        model.on("change:a") { _ in i += 1 }
        model.unset("a")
        model.unset("a")
        #expect(i == 1, "unset does not fire an event for missing attributes")
    }

    @Test("unset and changedAttributes") func unsetAndChangedAttributes() {
        let model = SyncModel(["a": 1])
        model.on("change") { _ in
            #expect(model.changedKeys == ["a"], "changedAttributes includes the unset key")
            #expect(model.changedAttributes()?["a"] == .null)
        }
        model.unset("a")
    }

    @Test("using a non-default id attribute.") func nonDefaultIdAttribute() {
        let model = MongoModel(["id": "eye-dee", "_id": 25, "title": "Model"])
        #expect(model.get("id") == "eye-dee")
        #expect(model.id == 25)
        #expect(!model.isNew)
        model.unset("_id")
        #expect(model.id == nil)
        #expect(model.isNew)
    }

    @Test("setting an alternative cid prefix") func cidPrefix() {
        #expect(PrefixedModel().cid.hasPrefix("m"))
        #expect(SyncModel().cid.hasPrefix("c"))
    }

    @Test("set an empty string") func setEmptyString() {
        let model = SyncModel(["name": "Model"])
        model.set("name", "")
        #expect(model.get("name") == "")
    }

    @Test("setting an object") func settingAnObject() {
        let model = SyncModel(["custom": ["foo": 1]])
        var changes = 0
        model.on("change") { _ in changes += 1 }
        model.set("custom", ["foo": 1])  // no change should be fired
        model.set("custom", ["foo": 2])  // change event should be fired
        #expect(changes == 1)
    }

    @Test("clear") func clear() {
        var changed = false
        let model = SyncModel(["id": 1, "name": "Model"])
        model.on("change:name") { _ in changed = true }
        model.on("change") { _ in
            #expect(model.changedKeys == ["id", "name"])
            #expect(model.changedAttributes() == ["id": nil, "name": nil])
        }
        model.clear()
        #expect(changed)
        #expect(model.get("name") == nil)
        #expect(model.id == nil)
    }

    @Test("defaults") func defaults() {
        let model = DefaultsModel(["two": nil])
        #expect(model.get("one") == 1)
        #expect(model.get("two") == .null, "null is kept over the default")
        let full = DefaultsModel(["two": 3])
        #expect(full.get("one") == 1)
        #expect(full.get("two") == 3)
        #expect(full.attributes.keys == ["one", "two"])
    }

    @Test("change, hasChanged, changedAttributes, previous, previousAttributes") func changeTracking() {
        let model = SyncModel(["name": "Tim", "age": 10])
        #expect(model.changedAttributes() == nil)
        model.on("change") { _ in
            #expect(model.hasChanged("name"))
            #expect(!model.hasChanged("age"))
            #expect(model.changedAttributes() == ["name": "Rob"])
            #expect(model.previous("name") == "Tim")
            #expect(model.previousAttributes() == ["name": "Tim", "age": 10])
        }
        #expect(!model.hasChanged())
        #expect(!model.hasChanged(nil))
        model.set("name", "Rob")
        #expect(model.get("name") == "Rob")
    }

    @Test("changedAttributes") func changedAttributes() {
        let model = SyncModel(["a": "a", "b": "b"])
        #expect(model.changedAttributes() == nil)
        #expect(model.changedAttributes(["a": "a"]) == nil)
        #expect(model.changedAttributes(["a": "b"]) == ["a": "b"])
    }

    @Test("change with options") func changeWithOptions() {
        let model = SyncModel(["name": "Rob"])
        var value: JSON?
        model.on("change") { event in value = event.options?["prefix"].map { .string($0.stringValue! + model.get("name")!.stringValue!) } }
        model.set("name", "Bob", options: SetOptions(userInfo: ["prefix": "Mr. "]))
        #expect(value == "Mr. Bob")
        model.set("name", "Sue", options: SetOptions(userInfo: ["prefix": "Ms. "]))
        #expect(value == "Ms. Sue")
    }

    @Test("change after initialize") func changeAfterInitialize() {
        var changed = 0
        let attrs: JSONObject = ["id": 1, "label": "c"]
        let obj = SyncModel(attrs)
        obj.on("change") { _ in changed += 1 }
        obj.set(attrs)
        #expect(changed == 0)
    }

    @Test("validate") func validate() {
        var lastError: JSON?
        let model = ValidatedModel()
        model.on("invalid") { event in if case .invalid(_, let error, _) = event { lastError = error } }
        #expect(model.set("a", 100))
        #expect(model.get("a") == 100)
        #expect(lastError == nil)
        #expect(model.set("admin", true))
        #expect(model.get("admin") == true, "validate runs only with validate: true")
        #expect(!model.set(["a": 200, "admin": false], options: SetOptions(validate: true)))
        #expect(model.get("a") == 100)
        #expect(lastError == "Can't change admin status.")
    }

    @Test("validate on unset and clear") func validateOnUnsetAndClear() {
        var error = false
        final class V: SyncModel {
            override func validate(_ attributes: JSONObject, options: SetOptions) -> JSON? {
                attributes["name"] == nil ? "No thanks." : nil
            }
        }
        let model = V(["name": "One"])
        model.on("invalid") { _ in error = true }
        model.set("name", "Two")
        #expect(model.get("name") == "Two")
        #expect(!model.unset("name", options: SetOptions(validate: true)))
        #expect(error)
        #expect(model.get("name") == "Two")
        #expect(!model.clear(options: SetOptions(validate: true)))
        #expect(model.get("name") == "Two")
        // Without validate: true, unset proceeds.
        model.unset("name")
        #expect(model.get("name") == nil)
    }

    @Test("validate with error callback") func validateWithInvalidEvent() {
        var boundError = false
        let model = ValidatedModel()
        model.on("invalid") { event in
            if case .invalid(let m, let error, let options) = event {
                #expect(m === model)
                #expect(error == "Can't change admin status.")
                #expect(options.validationError == error)
                boundError = true
            }
        }
        #expect(model.set("a", 100, options: SetOptions(validate: true)))
        #expect(model.validationError == nil)
        #expect(!model.set(["a": 200, "admin": true], options: SetOptions(validate: true)))
        #expect(model.get("a") == 100)
        #expect(model.validationError == "Can't change admin status.")
        #expect(boundError)
    }

    @Test("defaults always extend attrs (#459)") func defaultsExtendAttributes() {
        #expect(DefaultsModel().get("one") == 1)
        #expect(DefaultsModel([:]).get("two") == 2)
    }

    @Test("#582, #425, change:attribute callbacks should fire after all changes have occurred") func callbacksAfterAllChanges() {
        let model = SyncModel()
        let assertion: EventHandler = { _ in
            #expect(model.get("a") == "a")
            #expect(model.get("b") == "b")
            #expect(model.get("c") == "c")
        }
        model.on("change:a change:b change:c", assertion)
        model.set(["a": "a", "b": "b", "c": "c"])
    }

    @Test("set same value does not trigger change") func sameValueNoChange() {
        let model = SyncModel(["x": 1])
        model.on("change change:x") { _ in Issue.record("no change expected") }
        model.set("x", 1)
        model.set("x", 1)
    }

    @Test("unset does not fire a change for undefined attributes") func unsetUndefined() {
        let model = SyncModel(["x": nil])
        model.on("change:x") { _ in Issue.record("x was null-valued, not absent... expected no event for absent keys") }
        model.unset("y")
    }

    @Test("hasChanged works outside of change events, and true within") func hasChangedOutside() {
        let model = SyncModel(["x": 1])
        model.on("change:x") { _ in
            #expect(model.hasChanged("x"))
            #expect(model.get("x") == 1)
        }
        model.set("x", 2, options: .silent)
        #expect(model.hasChanged())
        #expect(model.hasChanged("x"))
        model.set("x", 1)
        #expect(model.hasChanged())
        #expect(model.hasChanged("x"))
    }

    @Test("hasChanged gets cleared on the following set") func hasChangedCleared() {
        let model = SyncModel()
        model.set("x", 1)
        #expect(model.hasChanged())
        model.set("x", 1)
        #expect(!model.hasChanged())
        model.set("x", 2)
        #expect(model.hasChanged())
        model.set([:])
        #expect(!model.hasChanged())
    }

    @Test("`hasChanged` for falsey keys") func hasChangedFalseyKeys() {
        let model = SyncModel()
        model.set(["0": 0, "": ""])
        #expect(model.hasChanged("0"))
        #expect(model.hasChanged(""))
    }

    @Test("`previous` for falsey keys") func previousFalseyKeys() {
        let model = SyncModel(["0": true, "": true])
        model.set(["0": false, "": false])
        #expect(model.previous("0") == true)
        #expect(model.previous("") == true)
    }

    @Test("nested `change` only fires once") func nestedChangeOnce() {
        let model = SyncModel()
        var count = 0
        model.on("change") { _ in
            count += 1
            model.set("x", true)
        }
        model.set("x", true)
        #expect(count == 1)
    }

    @Test("nested `set` during `'change:attr'`") func nestedSetDuringChangeAttr() {
        var events: [String] = []
        let model = SyncModel()
        model.on("all") { event in events.append(event.name) }
        model.on("change") { _ in model.set("z", true, options: .silent) }
        model.on("change:x") { _ in model.set("y", true) }
        model.set("x", true)
        #expect(events == ["change:y", "change:x", "change"])
        events = []
        model.set("z", true)
        #expect(events == [])
    }

    @Test("nested `change` only fires once", arguments: [false]) func nestedChangeOnlyOnce(_: Bool) {
        let model = SyncModel()
        var count = 0
        model.on("change") { _ in
            count += 1
            model.set("x", true)
        }
        model.set("x", true)
        #expect(count == 1)
    }

    @Test("nested `change` with silent") func nestedChangeWithSilent() {
        var count = 0
        let model = SyncModel()
        model.on("change:y") { _ in Issue.record("silent change:y must not fire") }
        model.on("change") { _ in
            count += 1
            model.set("y", true, options: .silent)
            model.set("z", true)
        }
        model.set("x", true)
        model.set("z", true)
        #expect(count == 2)
    }

    @Test("nested `change:attr` with silent") func nestedChangeAttrWithSilent() {
        let model = SyncModel()
        model.on("change:y") { _ in Issue.record("silent change:y must not fire") }
        model.on("change") { _ in
            model.set("y", true, options: .silent)
            model.set("z", true)
        }
        model.set("x", true)
    }

    @Test("multiple nested changes with silent") func multipleNestedChangesSilent() {
        let model = SyncModel()
        var values: [JSON?] = []
        model.on("change:x") { _ in
            model.set("y", 1, options: .silent)
            model.set("y", 2)
        }
        model.on("change:y") { event in
            if case .changeAttribute(_, _, let value, _) = event { values.append(value) }
        }
        model.set("x", true)
        #expect(values == [2])
    }

    @Test("basic silent change semantics") func basicSilentChange() {
        let model = SyncModel()
        model.set("x", 1)
        var count = 0
        model.on("change") { _ in count += 1 }
        model.set("x", 2, options: .silent)
        model.set("x", 1)
        #expect(count == 1)
    }

    @Test("nested set multiple times") func nestedSetMultipleTimes() {
        let model = SyncModel()
        var count = 0
        model.on("change:b") { _ in count += 1 }
        model.on("change:a") { _ in
            model.set("b", true)
            model.set("b", true)
        }
        model.set("a", true)
        #expect(count == 1)
    }

    @Test("#1122 - clear does not alter options.") func clearDoesNotAlterOptions() {
        let model = SyncModel()
        let options = SetOptions()
        model.clear(options: options)
        #expect(!options.unset)
    }

    @Test("#1122 - unset does not alter options.") func unsetDoesNotAlterOptions() {
        let model = SyncModel()
        let options = SetOptions()
        model.unset("x", options: options)
        #expect(!options.unset)
    }

    @Test("#1664 - Changing from one value, silently to another, back to original triggers a change.") func silentThenBack() {
        let model = SyncModel(["x": 1])
        var changes: [JSON?] = []
        model.on("change:x") { event in if case .changeAttribute(_, _, let v, _) = event { changes.append(v) } }
        model.set("x", 2, options: .silent)
        model.set("x", 3, options: .silent)
        model.set("x", 1)
        #expect(changes == [1])
    }

    @Test("#1664 - multiple silent changes nested inside a change event") func multipleSilentNested() {
        var changes: [String] = []
        let model = SyncModel()
        model.on("change") { _ in
            model.set("a", "c", options: .silent)
            model.set("b", 2, options: .silent)
            model.unset("c", options: .silent)
        }
        model.on("change:a change:b change:c") { event in changes.append(event.name) }
        model.set(["a": "a", "b": 1, "c": "item"])
        #expect(changes == ["change:a", "change:b", "change:c"])
        model.set(["a": "a", "b": 1, "c": "item"])
        #expect(changes == ["change:a", "change:b", "change:c", "change:a", "change:b", "change:c"])
    }

    @Test("silent changes in last `change` event back to original triggers change") func silentBackToOriginal() {
        var changes: [String] = []
        let model = SyncModel()
        model.on("change:a change:b change:c") { event in changes.append(event.name) }
        model.on("change") { _ in model.set("a", "c", options: .silent) }
        model.set("a", "a")
        #expect(changes == ["change:a"])
        model.set("a", "a")
        #expect(changes == ["change:a", "change:a"])
    }

    @Test("#1943 change calculations should use _.isEqual") func deepEquality() {
        let model = SyncModel(["a": ["key": "value"]])
        model.set("a", ["key": "value"], options: .silent)
        #expect(model.changedAttributes() == nil)
    }

    @Test("#1964 - final `change` event is always fired, regardless of interim changes") func finalChangeAlwaysFires() {
        let model = SyncModel()
        var count = 0
        model.on("change:property") { _ in model.set("property", "bar") }
        model.on("change") { _ in count += 1 }
        model.set("property", "foo")
        #expect(count == 1)
    }

    @Test("isValid") func isValid() {
        final class V: SyncModel {
            override func validate(_ attributes: JSONObject, options: SetOptions) -> JSON? {
                attributes["valid"] == true ? nil : "invalid"
            }
        }
        let model = V(["valid": true])
        #expect(model.isValid())
        #expect(!model.set("valid", false, options: SetOptions(validate: true)))
        #expect(model.isValid())
        model.set("valid", false)
        #expect(!model.isValid())
        #expect(model.validationError == "invalid")
    }

    @Test("#1179 - isValid returns true in the absence of validate.") func isValidWithoutValidate() {
        #expect(SyncModel().isValid())
    }

    @Test("#1961 - Creating a model with {validate:true} will call validate and use the error callback") func createWithValidate() {
        final class V: SyncModel {
            override func validate(_ attributes: JSONObject, options: SetOptions) -> JSON? {
                attributes["id"] == 1 ? "This shouldn't happen" : nil
            }
        }
        let model = V(["id": 1], options: SetOptions(validate: true))
        #expect(model.validationError == "This shouldn't happen")
        #expect(model.attributes.isEmpty)
    }

    @Test("#2034 - nested set with silent only triggers one change") func nestedSilentOneChange() {
        let model = SyncModel()
        var count = 0
        model.on("change") { _ in
            model.set("b", true, options: .silent)
            count += 1
        }
        model.set("a", true)
        #expect(count == 1)
    }

    @Test("#3778 - id will only be updated if it is set") func idOnlyUpdatedWhenSet() {
        let model = SyncModel(["id": 1])
        model.id = 2
        model.set("foo", "bar")
        #expect(model.id == 2)
        model.set("id", 3)
        #expect(model.id == 3)
    }

    @Test("#4289 - Trigger \"changeId\" need to be generate only if the content id change") func changeIdOnlyOnRealChange() {
        let model = SyncModel(["id": 1])
        var count = 0
        model.on("changeId") { _ in count += 1 }
        model.set("id", 1)
        #expect(count == 0)
        model.set("id", 2)
        #expect(count == 1)
        model.set("id", "2")
        #expect(count == 2, "a number -> string change is a change")
    }

    @Test("an id assigned directly is re-read (with changeId) by the next set naming the id attribute, even unchanged")
    func assignedIdIsReadAgainByASetOfTheSameId() {
        // Backbone: `this.id = this.get(idAttribute)` whenever attrs include it; changeId when it differs.
        let model = SyncModel(["id": 1, "a": 0])
        var previous: [JSON?] = []
        model.on("changeId") { event in
            if case .changeId(_, let old, _) = event { previous.append(old) }
        }
        model.id = 9
        model.set(["a": 1])
        #expect(model.id == 9, "a set without the id attribute leaves an assigned id alone")
        model.set(["id": 1, "a": 1])
        #expect(model.id == 1)
        #expect(previous == [.int(9)])
        model.id = "x"
        model.set("id", 1)
        #expect(model.id == 1)
        #expect(previous == [.int(9), .string("x")])
        model.set(["id": 1])
        model.set("id", 1)
        #expect(previous.count == 2, "an unchanged id attribute with no assignment fires nothing")
    }

    /// The single-attribute `set` path finds keys stored with identical bits in place and reuses the
    /// last change record when it names the same key; keys whose bits differ (long keys in their own
    /// buffers) and alternating keys must still find the stored member and report `previous` right.
    @Test("repeated sets of one key, long keys and alternating keys keep previous and changed right")
    func repeatedSetsKeepPreviousAndChanged() {
        let longKey = String(repeating: "attribute-", count: 3)
        let model = SyncModel([longKey: 0, "n": 0, "m": 0])
        var log: [String] = []
        model.on("all") { event in log.append(event.name) }
        for step in 1...6 {
            let key = step % 3 == 0 ? String(decoding: Array(longKey.utf8), as: UTF8.self) : (step.isMultiple(of: 2) ? "m" : "n")
            let before = model.get(key)
            model.set(key, .int(Int64(step)))
            #expect(model.previous(key) == before, "step \(step)")
            #expect(model.changedAttributes() == [key: .int(Int64(step))])
            model.set(key, .int(Int64(step)))
            #expect(model.changedAttributes() == nil, "an unchanged value changes nothing")
            model.set(key, .int(Int64(step + 100)))
            #expect(model.previous(key) == .int(Int64(step)), "the same key changed twice in a row, step \(step)")
            model.set(key, .int(Int64(step)))
            #expect(model.previous(key) == .int(Int64(step + 100)))
        }
        #expect(model.attributes.count == 3, "no key was added twice")
        #expect(log.count == 36)
        // Values that hold references (long strings, arrays) in the reused record and the slot.
        let long = { (i: Int) in JSON.string(String(repeating: "value \(i) ", count: 4)) }
        for i in 0..<6 {
            let value: JSON = i.isMultiple(of: 2) ? long(i) : .array([long(i), .int(Int64(i))])
            let before = model.get("m")
            model.set("m", value)
            #expect(model.previous("m") == before)
            #expect(model.get("m") == value)
        }
        // Same key, changing between values without references (copied as bytes) of every kind.
        let scalars: [JSON] = [.bool(true), .int(7), .null, .double(2.5), .bool(false), .int(-3), .string("s"), .int(1)]
        for value in scalars {
            let before = model.get("o")
            model.set("o", value)
            #expect(model.get("o") == value)
            #expect(model.previous("o") == before)
        }
        model.set("n", .double(5))
        #expect(model.changedAttributes() == nil, "5.0 equals the stored integer 5")
        model.set("n", .double(5.5))
        #expect(model.previous("n") == .int(5))
    }

    /// Attribute names are Swift strings, equal under canonical equivalence: KELVIN SIGN (3 UTF-8
    /// bytes) names the same attribute as "K" (1 byte), so it must refresh an id kept under "K".
    @Test("an id attribute named by a canonically equal key of another length still refreshes the id")
    func canonicallyEqualIdAttributeKey() {
        final class KelvinModel: SyncModel {
            override class var idAttribute: String { "K" }
        }
        let model = KelvinModel(["K": 1])
        var changes = 0
        model.on("changeId") { _ in changes += 1 }
        model.set("\u{212A}", 5)
        #expect(model.get("K") == 5)
        #expect(model.attributes.count == 1)
        #expect(model.id == 5)
        model.set(["\u{212A}": 6])
        #expect(model.id == 6)
        #expect(changes == 2)
    }
}
