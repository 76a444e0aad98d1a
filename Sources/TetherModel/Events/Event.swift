/// One event as its handlers receive it: Backbone's event name and argument list, typed.
///
/// Backbone passes positional arguments (`change:title (model, value, options)`); here each built-in
/// event is a case whose associated values are those arguments, in Backbone's order. Events you
/// trigger yourself by name are ``custom(_:_:)`` with JSON arguments. An `all` handler receives the
/// same value and reads the event name from ``name``.
public enum Event {
    /// `add (model, collection, options)`: the model was added to `collection`.
    case add(SyncModel, SyncCollection, SetOptions)
    /// `remove (model, collection, options)`: the model was removed from `collection`.
    case remove(SyncModel, SyncCollection, SetOptions)
    /// `update (collection, options)`: one `add`/`remove`/`set` call changed the collection;
    /// `options.changes` lists what was added, removed and merged.
    case update(SyncCollection, SetOptions)
    /// `reset (collection, options)`: the collection's contents were replaced; `options.previousModels`.
    case reset(SyncCollection, SetOptions)
    /// `sort (collection, options)`: the collection was re-sorted.
    case sort(SyncCollection, SetOptions)
    /// `change (model, options)`: once per outermost `set` that changed something.
    case change(SyncModel, SetOptions)
    /// `change:<key> (model, value, options)`: the attribute `key` changed; `value` is `nil` when unset.
    case changeAttribute(SyncModel, key: String, value: JSON?, SetOptions)
    /// `changeId (model, previousId, options)`: the model's id changed (fired even for silent sets).
    case changeId(SyncModel, previousId: JSON?, SetOptions)
    /// `destroy (model, collection, options)`: the model was destroyed.
    case destroy(SyncModel, SyncCollection?, SetOptions)
    /// `invalid (model, error, options)`: validation rejected a `set`.
    case invalid(SyncModel, error: JSON, SetOptions)
    /// `invalid (collection, error, options)`: a collection skipped a new model that failed validation.
    case collectionInvalid(SyncCollection, error: JSON, SetOptions)
    /// Any other event, triggered by name with JSON arguments (`trigger("saved", 1, "x")`).
    case custom(String, [JSON])

    /// The event name as Backbone spells it (`"change:title"`, `"add"`, ...).
    ///
    /// Built lazily: dispatch never needs the string, so reading it costs only `all` handlers that ask.
    public var name: String {
        switch self {
        case .add: return "add"
        case .remove: return "remove"
        case .update: return "update"
        case .reset: return "reset"
        case .sort: return "sort"
        case .change: return "change"
        case .changeAttribute(_, let key, _, _): return "change:" + key
        case .changeId: return "changeId"
        case .destroy: return "destroy"
        case .invalid, .collectionInvalid: return "invalid"
        case .custom(let name, _): return name
        }
    }

    /// The options the event carries (`nil` for custom events).
    public var options: SetOptions? {
        switch self {
        case .add(_, _, let o), .remove(_, _, let o), .update(_, let o), .reset(_, let o), .sort(_, let o),
             .change(_, let o), .changeAttribute(_, _, _, let o), .changeId(_, _, let o), .destroy(_, _, let o),
             .invalid(_, _, let o), .collectionInvalid(_, _, let o):
            return o
        case .custom:
            return nil
        }
    }

    /// The model the event is about, when it has one (model events and `add`/`remove`).
    public var model: SyncModel? {
        switch self {
        case .add(let m, _, _), .remove(let m, _, _), .change(let m, _), .changeAttribute(let m, _, _, _),
             .changeId(let m, _, _), .destroy(let m, _, _), .invalid(let m, _, _):
            return m
        default:
            return nil
        }
    }

    /// The collection argument, when the event has one.
    public var collection: SyncCollection? {
        switch self {
        case .add(_, let c, _), .remove(_, let c, _), .update(let c, _), .reset(let c, _), .sort(let c, _),
             .collectionInvalid(let c, _, _):
            return c
        case .destroy(_, let c, _):
            return c
        default:
            return nil
        }
    }

    /// Where handlers for this event are stored.
    var key: EventKey {
        switch self {
        case .add: return .builtin(.add)
        case .remove: return .builtin(.remove)
        case .update: return .builtin(.update)
        case .reset: return .builtin(.reset)
        case .sort: return .builtin(.sort)
        case .change: return .builtin(.change)
        case .changeAttribute(_, let key, _, _): return .attribute(key)
        case .changeId: return .builtin(.changeId)
        case .destroy: return .builtin(.destroy)
        case .invalid, .collectionInvalid: return .builtin(.invalid)
        case .custom(let name, _): return EventKey(name)
        }
    }
}
