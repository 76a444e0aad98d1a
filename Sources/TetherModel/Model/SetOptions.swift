/// The options of a `set`/`add`/`remove`/`reset` call, passed unchanged to every event it fires.
///
/// Backbone passes one options object through a call to all its events and writes into it
/// (`index`, `changes`, `previousModels`, `validationError`); this struct carries the same fields
/// typed, plus ``userInfo`` for your own keys. Collection calls pass their options to the merged
/// models' `set`, so model events fired by a collection merge carry the collection's options.
public struct SetOptions {
    /// Fire no events (`changeId` still fires: collections need it to re-index).
    public var silent: Bool
    /// Remove the given keys instead of setting them (the values passed are ignored).
    public var unset: Bool
    /// Run ``SyncModel/validate(_:options:)`` first; on failure nothing is applied.
    public var validate: Bool
    /// Run the `parse` hook on raw input first.
    public var parse: Bool
    /// Collection `set`: add new models (default true for `set`, forced true for `add`).
    public var add: Bool?
    /// Collection `set`: remove models missing from the input (default true for `set`, false for `add`).
    public var remove: Bool?
    /// Collection `set`: merge input into existing models (default true for `set`, false for `add`).
    public var merge: Bool?
    /// Collection `set`: `false` suppresses sorting by the comparator.
    public var sort: Bool?
    /// Collection `set`/`add`: insert new models at this index (negative counts from the end).
    public var at: Int?
    /// Written by the collection: index of the model in an `add`/`remove` event.
    public var index: Int?
    /// Written by the collection for `update`: what the call added, removed and merged.
    public var changes: CollectionChanges?
    /// Written by `reset`: the models before the reset.
    public var previousModels: [SyncModel]?
    /// Written when validation fails: the error `validate` returned.
    public var validationError: JSON?
    /// Your own options, passed through to handlers untouched.
    public var userInfo: [String: JSON]

    public init(
        silent: Bool = false, unset: Bool = false, validate: Bool = false, parse: Bool = false,
        add: Bool? = nil, remove: Bool? = nil, merge: Bool? = nil, sort: Bool? = nil, at: Int? = nil,
        userInfo: [String: JSON] = [:]
    ) {
        self.silent = silent
        self.unset = unset
        self.validate = validate
        self.parse = parse
        self.add = add
        self.remove = remove
        self.merge = merge
        self.sort = sort
        self.at = at
        self.index = nil
        self.changes = nil
        self.previousModels = nil
        self.validationError = nil
        self.userInfo = userInfo
    }

    /// Options with only `silent` set, the most common case.
    public static var silent: SetOptions { SetOptions(silent: true) }

    /// A user key, for handlers: `options["source"]`.
    public subscript(key: String) -> JSON? {
        get { userInfo[key] }
        set { userInfo[key] = newValue }
    }
}

/// What one collection call did, as reported by its `update` event (`options.changes`).
public struct CollectionChanges {
    /// Models added, in input order.
    public var added: [SyncModel]
    /// Models removed, in collection order.
    public var removed: [SyncModel]
    /// Existing models matched by different input (merged even if no attribute changed).
    public var merged: [SyncModel]

    public init(added: [SyncModel] = [], removed: [SyncModel] = [], merged: [SyncModel] = []) {
        self.added = added
        self.removed = removed
        self.merged = merged
    }
}
