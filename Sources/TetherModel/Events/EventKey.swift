/// An event name parsed once, so dispatch never builds or hashes `"change:" + key` strings.
///
/// Built-in names map to fixed slots, `change:<attr>` to a per-attribute table keyed by the bare
/// attribute name, and everything else to a table of custom names.

enum EventKey: Hashable {
    case builtin(BuiltinEvent)
    case attribute(String)
    case custom(String)


    init(_ name: String) {
        if let builtin = BuiltinEvent(name: name) {
            self = .builtin(builtin)
        } else if name.utf8.count > 7, name.hasPrefix("change:") {
            self = .attribute(String(name.dropFirst(7)))
        } else {
            self = .custom(name)
        }
    }
}

/// The event names Backbone itself fires, plus `all`; each has a fixed handler slot.

enum BuiltinEvent: Int, CaseIterable {
    case all, add, remove, update, reset, sort, change, changeId, destroy, invalid

    init?(name: String) {
        switch name {
        case "all": self = .all
        case "add": self = .add
        case "remove": self = .remove
        case "update": self = .update
        case "reset": self = .reset
        case "sort": self = .sort
        case "change": self = .change
        case "changeId": self = .changeId
        case "destroy": self = .destroy
        case "invalid": self = .invalid
        default: return nil
        }
    }
}

extension String {
    /// Backbone's name grammar: `"a b"` is two events (split on runs of whitespace).
    var eventNames: [Substring] {
        split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
    }
}
