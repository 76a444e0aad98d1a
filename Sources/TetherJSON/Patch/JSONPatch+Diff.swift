// Computing a patch between two documents: what turns a resync snapshot into change events.

extension JSONPatch {
    /// A small patch that turns `source` into `target`: `diff(a, b).applied(to: a) == b`.
    ///
    /// - Objects are compared member by member, recursively: members only in `source` are removed,
    ///   members only in `target` are added (appended, so member order may differ from `target`'s),
    ///   members in both are diffed in place. Equal values produce no operation (`1` and `1.0` are equal).
    /// - Arrays keep their common prefix and suffix; the differing middles are paired element by
    ///   element (each pair diffed recursively), then the surplus is removed or the shortfall
    ///   inserted. One inserted or removed element costs one operation; this is not a minimal
    ///   (LCS) edit script, and `move` is never emitted.
    /// - Values of different types are replaced whole.
    public static func diff(from source: JSON, to target: JSON) -> JSONPatch {
        var operations: [JSONPatchOperation] = []
        appendDiff(from: source, to: target, at: .root, into: &operations)
        return JSONPatch(operations: operations)
    }

    private static func appendDiff(
        from source: JSON, to target: JSON, at path: JSONPointer, into operations: inout [JSONPatchOperation]
    ) {
        switch (source, target) {
        case (.object(let old), .object(let new)):
            for (key, _) in old where !new.contains(key: key) {
                operations.append(.remove(path: path.appending(key)))
            }
            for (key, oldValue) in old {
                if let newValue = new[key] { appendDiff(from: oldValue, to: newValue, at: path.appending(key), into: &operations) }
            }
            for (key, newValue) in new where !old.contains(key: key) {
                operations.append(.add(path: path.appending(key), value: newValue))
            }
        case (.array(let old), .array(let new)):
            appendArrayDiff(from: old, to: new, at: path, into: &operations)
        default:
            if source != target { operations.append(.replace(path: path, value: target)) }
        }
    }

    private static func appendArrayDiff(
        from old: [JSON], to new: [JSON], at path: JSONPointer, into operations: inout [JSONPatchOperation]
    ) {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
            old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        {
            suffix += 1
        }
        let oldMiddle = old.count - prefix - suffix
        let newMiddle = new.count - prefix - suffix
        for offset in 0..<min(oldMiddle, newMiddle) {
            let i = prefix + offset
            appendDiff(from: old[i], to: new[i], at: path.appending(index: i), into: &operations)
        }
        if oldMiddle > newMiddle {
            // Remove the surplus from the end of the middle backwards (no index shifting surprises).
            for i in stride(from: prefix + oldMiddle - 1, through: prefix + newMiddle, by: -1) {
                operations.append(.remove(path: path.appending(index: i)))
            }
        } else {
            for i in (prefix + oldMiddle)..<(prefix + newMiddle) {
                operations.append(.add(path: path.appending(index: i), value: new[i]))
            }
        }
    }
}
