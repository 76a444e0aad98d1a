// The headless collection a `tether agent` mirrors.
import Tether

/// A collection without a UI: models as JSON objects keyed by id. The binder brings it to the
/// server's state through minimal changes; it reports each as the Backbone event it stands for
/// (`add`, `remove`, `change:<attr>`, `change`, then one `update` per batch) and counts them as
/// activity for `--until-idle`.
///
/// Lives in the binder's isolation (the agent's main actor), like any bound collection.
final class AgentCollection: RealtimeBindable {
    let name: String
    /// The models, keyed by id.
    private(set) var models: [String: JSONObject] = [:]
    private let printer: AgentEventPrinter
    private var observer: ((RealtimeLocalChange) -> Void)?
    /// Called after every batch that changed something.
    var onActivity: () -> Void = {}

    init(name: String, printer: AgentEventPrinter) {
        self.name = name
        self.printer = printer
    }

    /// The collection as one JSON object (model id → attributes).
    var state: JSONObject {
        var object = JSONObject(minimumCapacity: models.count)
        for id in models.keys.sorted() { object[id] = .object(models[id]!) }
        return object
    }

    func realtimeAttributes(of id: String) -> JSONObject? { models[id] }

    func realtimeApply(_ changes: [(id: String, attributes: JSONObject?)]) {
        var added = 0, removed = 0, changed = 0
        for (id, attributes) in changes {
            switch (models[id], attributes) {
            case (nil, nil):
                continue
            case (nil, let after?):
                models[id] = after
                added += 1
                printer.emit("add", ["collection": .string(name), "id": .string(id), "attributes": .object(after)])
            case (let before?, nil):
                models[id] = nil
                removed += 1
                printer.emit("remove", ["collection": .string(name), "id": .string(id), "attributes": .object(before)])
            case (let before?, let after?):
                guard before != after else { continue }
                models[id] = after
                changed += 1
                reportChange(id: id, from: before, to: after)
            }
        }
        guard added + removed + changed > 0 else { return }
        printer.emit("update", [
            "collection": .string(name), "added": .int(Int64(added)), "removed": .int(Int64(removed)),
            "changed": .int(Int64(changed)),
        ])
        onActivity()
    }

    /// `change:<attr>` for every attribute that differs (an unset one with `"unset": true`), then `change`.
    private func reportChange(id: String, from before: JSONObject, to after: JSONObject) {
        var keys = Set(before.keys)
        keys.formUnion(after.keys)
        var changedKeys: [JSON] = []
        for key in keys.sorted() where before[key] != after[key] {
            changedKeys.append(.string(key))
            var fields: JSONObject = ["collection": .string(name), "id": .string(id), "attribute": .string(key)]
            if let value = after[key] { fields["value"] = value } else { fields["unset"] = true }
            printer.emit("change:\(key)", fields)
        }
        printer.emit("change", [
            "collection": .string(name), "id": .string(id), "attributes": .object(after), "changed": .array(changedKeys),
        ])
    }

    func realtimeObserve(_ handler: @escaping (RealtimeLocalChange) -> Void) -> () -> Void {
        observer = handler
        return { [weak self] in self?.observer = nil }
    }

    /// A local write (what `tether push` makes): changes the model here, then tells the binder,
    /// which stamps it, applies it optimistically and queues it as a mutation.
    func write(_ change: RealtimeLocalChange) {
        switch change {
        case .added(let id, let attributes):
            models[id] = attributes
        case .removed(let id):
            models[id] = nil
        case .changed(let id, let set, let unset):
            var model = models[id] ?? [:]
            for (key, value) in set { model[key] = value }
            for key in unset { model[key] = nil }
            models[id] = model
        }
        observer?(change)
    }
}
