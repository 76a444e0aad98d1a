// Change tracking queries: Backbone's `changed`, `hasChanged`, `changedAttributes`, `previous`,
// `previousAttributes`. Everything is derived from the per-key records kept by `set`.

extension SyncModel {
    /// The attributes changed by the last outermost `set` (and the sets nested in it), with their
    /// new values in Backbone's order; an unset attribute appears as `null`.
    public final var changed: JSONObject {
        var result = JSONObject()
        for record in records.prefix(liveRecords) where record.isChanged {
            result[record.key] = storage[record.key] ?? .null
        }
        return result
    }

    /// The names of the changed attributes, in order (unlike ``changed`` this tells unset from `null`).
    public final var changedKeys: [String] {
        records.prefix(liveRecords).filter(\.isChanged).map(\.key)
    }

    /// Whether the last outermost `set` changed anything, or changed `key` when given.
    public final func hasChanged(_ key: String? = nil) -> Bool {
        guard let key else { return records.prefix(liveRecords).contains { $0.isChanged } }
        return records.prefix(liveRecords).contains { $0.key == key && $0.isChanged }
    }

    /// ``changed``, or `nil` when nothing changed (Backbone returns `false`).
    public final func changedAttributes() -> JSONObject? {
        hasChanged() ? changed : nil
    }

    /// The members of `diff` whose values differ from the model's (from the attributes before the
    /// current `set` while one is running), or `nil` if none do.
    public final func changedAttributes(_ diff: JSONObject) -> JSONObject? {
        var result = JSONObject()
        for (key, value) in diff {
            let old = isChanging ? previous(key) : storage[key]
            if old != value { result[key] = value }
        }
        return result.isEmpty ? nil : result
    }

    /// The value of `key` before the last outermost `set` (`nil` if it was absent).
    public final func previous(_ key: String) -> JSON? {
        if previousIsEmpty { return nil }
        for record in records.prefix(liveRecords) where record.key == key { return record.previous }
        return storage[key]
    }

    /// All attributes as they were before the last outermost `set`.
    public final func previousAttributes() -> JSONObject {
        if previousIsEmpty { return [:] }
        if liveRecords == 0 { return storage }
        let records = self.records.prefix(liveRecords)
        var result = JSONObject(minimumCapacity: storage.count)
        // Keys present before keep their order; keys added since are dropped.
        for (key, value) in storage {
            if let record = records.first(where: { $0.key == key }) {
                if let previous = record.previous { result[key] = previous }
            } else {
                result[key] = value
            }
        }
        for record in records where !storage.contains(key: record.key) {
            if let previous = record.previous { result[record.key] = previous }
        }
        return result
    }

    /// Backbone's `escape`: the attribute as HTML-escaped text (`""` for absent or `null`).
    public final func escape(_ key: String) -> String {
        guard let value = get(key) else { return "" }
        let text: String
        switch value {
        case .null: return ""
        case .string(let s): text = s
        case .bool(let b): text = b ? "true" : "false"
        default: text = value.serialized()
        }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#x27;"
            case "`": out += "&#x60;"
            default: out.append(ch)
            }
        }
        return out
    }
}
