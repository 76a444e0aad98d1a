// Swift collection conformance and Backbone's query helpers (`where`, `findWhere`, `pluck`).

extension SyncCollection: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { members.count }
    public subscript(position: Int) -> SyncModel {
        precondition(position >= 0 && position < members.count, "SyncCollection index out of range")
        return members[position]
    }
    public func index(after i: Int) -> Int { i + 1 }
    public func index(before i: Int) -> Int { i - 1 }
}

extension SyncCollection {
    /// The models whose attributes include every member of `attributes` (Backbone's `where`).
    public final func `where`(_ attributes: JSONObject) -> [SyncModel] {
        models.filter { $0.matches(attributes) }
    }

    /// The first model matching `attributes`, or `nil` (Backbone's `findWhere`).
    public final func findWhere(_ attributes: JSONObject) -> SyncModel? {
        models.first { $0.matches(attributes) }
    }

    /// The value of `key` in every model, in order (`nil` where absent).
    public final func pluck(_ key: String) -> [JSON?] {
        models.map { $0.storage[key] }
    }

    /// The attributes of every model (Backbone's `toJSON`).
    public final func toJSON() -> JSON {
        .array(models.map { .object($0.storage) })
    }

    /// The index of `model` in the collection, or `nil`.
    public final func index(of model: SyncModel) -> Int? {
        members.index(of: model)
    }
}

extension SyncModel {
    /// Whether every member of `attributes` equals this model's attribute (Backbone's `matches`).
    public final func matches(_ attributes: JSONObject) -> Bool {
        for (key, value) in attributes where storage[key] != value { return false }
        return true
    }
}
