import TetherModel

/// Records the events an emitter fires, as readable strings, for order assertions.
final class EventLog {
    private(set) var entries: [String] = []

    init() {}

    /// Listens to `all` on `emitter` and records each event as `prefix + describe(event)`.
    @discardableResult
    func record(_ emitter: any EventEmitter, prefix: String = "") -> EventToken {
        emitter.on("all") { [unowned self] event in self.entries.append(prefix + Self.describe(event)) }
    }

    func append(_ entry: String) { entries.append(entry) }
    func clear() { entries.removeAll() }

    /// `name` plus the distinguishing arguments: attribute values, ids, indexes.
    static func describe(_ event: Event) -> String {
        switch event {
        case .changeAttribute(_, let key, let value, _):
            return "change:\(key)=\(value.map { $0.serialized() } ?? "undefined")"
        case .changeId(let model, let previous, _):
            return "changeId \(previous.map { $0.serialized() } ?? "undefined")->\(model.id.map { $0.serialized() } ?? "undefined")"
        case .add(let model, _, let options):
            return "add \(model.id.map { $0.serialized() } ?? model.cid)" + (options.index.map { "@\($0)" } ?? "")
        case .remove(let model, _, let options):
            return "remove \(model.id.map { $0.serialized() } ?? model.cid)" + (options.index.map { "@\($0)" } ?? "")
        default:
            return event.name
        }
    }
}

extension SyncCollection {
    /// The ids of the models, serialized, for compact order assertions.
    var ids: [String] { models.map { $0.id.map { $0.serialized() } ?? $0.cid } }
}
