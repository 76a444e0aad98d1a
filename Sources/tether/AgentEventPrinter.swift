// NDJSON output of `tether agent --events`: one canonical JSON object per line on stdout.
import Foundation
import Tether

/// Writes agent events as NDJSON (one compact, sorted-keys JSON object per line), or nothing when
/// events were not asked for. Each line is written as it happens so a pipe reader sees events live.
///
/// The vocabulary is `tether replay`'s (Fixtures/README.md): binder events are
/// `{"source":"binder","event":NAME,...payload}`; collection events are Backbone's own
/// (`add`, `remove`, `change:<attr>`, `change`, `update`, ...) as
/// `{"source":COLLECTION,"event":NAME,"id":MODEL_ID,"origin":"remote"|"local"}`, plus, for an agent
/// that has no other way to show a model, `attributes` on `add`, `remove` and `change`.
final class AgentEventPrinter {
    let enabled: Bool

    init(enabled: Bool) { self.enabled = enabled }

    /// A binder lifecycle event (the destroy pair is the agent's own shutdown and is not shown).
    func emit(_ event: BinderEvent) {
        guard enabled else { return }
        switch event {
        case .beforeDestroy, .destroy: return
        default: break
        }
        var object: JSONObject = ["source": "binder", "event": .string(event.name)]
        if case .object(let payload) = event.payload { for (key, value) in payload { object[key] = value } }
        write(object)
    }

    /// A Backbone event of the collection bound as `name`.
    func emit(_ event: Event, collection name: String) {
        guard enabled else { return }
        var object: JSONObject = ["source": .string(name), "event": .string(event.name)]
        if let model = event.model { object["id"] = model.id ?? .string(model.cid) }
        switch event {
        case .add(let model, _, _), .remove(let model, _, _), .change(let model, _):
            object["attributes"] = .object(model.attributes)
        case .changeAttribute(_, _, let value, _):
            object["value"] = value ?? .null
            if value == nil { object["unset"] = true }
        case .update(_, let options):
            let changes = options.changes
            object["added"] = .array((changes?.added ?? []).map { $0.id ?? .string($0.cid) })
            object["removed"] = .array((changes?.removed ?? []).map { $0.id ?? .string($0.cid) })
        default:
            break
        }
        object["origin"] = event.options?.userInfo[SyncCollection.remoteChangeKey] != nil ? "remote" : "local"
        write(object)
    }

    private func write(_ object: JSONObject) {
        var line = JSON.object(object).serializedBytes(options: .sortedKeys)
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(Data(line))
    }
}
