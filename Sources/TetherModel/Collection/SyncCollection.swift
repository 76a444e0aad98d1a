/// An ordered set of ``SyncModel``s with an id index that fires Backbone 1.6.1's collection events.
///
/// ```swift
/// let todos = try SyncCollection(models: [["id": 1, "title": "milk"]])
/// todos.on("add remove") { event in print(event.name) }
/// try todos.set([["id": 1, "title": "oat milk"], ["id": 2, "title": "bread"]])
/// // change:title, change (merged model), add, sort, update
/// ```
///
/// Events of member models bubble to the collection (`change`, `change:<key>`, custom events),
/// a `destroy`ed model is removed, and a model whose id changes is re-indexed, even on silent sets.
/// A model may belong to several collections; ``SyncModel/collection`` is the first.
///
/// Subclass to override ``modelId(_:idAttribute:)`` (composite keys) or ``parse(_:options:)``.
///
/// ## Concurrency
/// A collection is a non-`Sendable` class confined to one isolation domain, together with its
/// models; nothing here takes a lock.
open class SyncCollection: EventEmitter {
    /// The collection's event handlers.
    public final let eventHub = EventHub()
    /// The models, in collection order.
    public final internal(set) var models: [SyncModel] {
        get { members.array }
        set { members.replace(with: newValue) }
    }
    /// The storage behind ``models`` (holds a gap of removed models while `remove` events run).
    @exclusivity(unchecked) final var members = MemberList()
    /// The class used to create models from raw attributes.
    public final let modelType: SyncModel.Type
    /// The sort order; `nil` keeps insertion (or `set` input) order.
    public final var comparator: Comparator?

    /// Id → model (ids coerced to strings as Backbone's object keys do: `2` and `"2"` are one id).
    final let byId = ModelIndex()
    /// Cid → model.
    final let byCid = ModelIndex()
    /// The token of the bubbling handler this collection registers on each member's `all` list.
    final let bubbleToken = EventToken.next()
    /// The bubbling handler, shared by every member model.
    final lazy var bubble: EventHandler = { [unowned(unsafe) self] event in self.onModelEvent(event) }
    /// The one registration of ``bubble``, appended to every member's `all` list (it is matched by
    /// token and context, never by identity, so sharing it saves an object per member).
    final lazy var bubbleHandler = RegisteredHandler(
        token: bubbleToken.id, context: ObjectIdentifier(self), callback: bubble, once: false, listener: nil)

    /// Answers ``SyncModel/hasPendingWrites`` for this collection's models; installed by the sync
    /// layer that binds the collection (held weakly: the binder owns it).
    public final weak var pendingWritesSource: (any PendingWritesSource)?

    /// An empty collection.
    public init(model: SyncModel.Type = SyncModel.self, comparator: Comparator? = nil) {
        self.modelType = model
        self.comparator = comparator
    }

    /// A collection of existing models (no events; sorted by `comparator` if given).
    public convenience init(_ models: [SyncModel], model: SyncModel.Type = SyncModel.self, comparator: Comparator? = nil) {
        self.init(model: model, comparator: comparator)
        reset(models, options: .silent)
    }

    /// A collection created from JSON objects (Backbone's `new Collection(models)`: a silent reset).
    ///
    /// - Throws: ``ModelError/elementNotAnObject(index:type:)`` if an element is not an object.
    public convenience init(
        models: [JSON], model: SyncModel.Type = SyncModel.self, comparator: Comparator? = nil,
        options: SetOptions = SetOptions()
    ) throws(ModelError) {
        self.init(model: model, comparator: comparator)
        var options = options
        options.silent = true
        try reset(models, options: options)
    }

    deinit {
        for model in models { dropReference(model) }
    }

    // MARK: Hooks

    /// The id used to index a model with these attributes (Backbone's `modelId`). Override for
    /// composite keys.
    open func modelId(_ attributes: JSONObject, idAttribute: String) -> JSON? {
        attributes[idAttribute]
    }

    /// Converts a raw response into model inputs when `options.parse` is set (identity for arrays;
    /// a single object becomes a one-element list).
    open func parse(_ response: JSON, options: SetOptions) -> [JSON] {
        switch response {
        case .array(let elements): return elements
        case .null: return []
        default: return [response]
        }
    }

    // MARK: Lookup

    /// The number of models.
    public final var length: Int { members.count }

    /// The model with this id (string or number: `get(2)` and `get("2")` are the same) or cid.
    public final func get(_ id: JSON) -> SyncModel? {
        if let key = Self.indexKey(id), let model = byId[key] { return model }
        if case .string(let s) = id { return byCid[s] }
        return nil
    }

    /// The member matching `model`: by the model's id, else by its cid (a clone of a member is found).
    public final func get(_ model: SyncModel) -> SyncModel? {
        if let id = modelId(model.storage, idAttribute: model.idAttribute), let key = Self.indexKey(id),
            let found = byId[key]
        {
            return found
        }
        return byCid[model.cid]
    }

    /// The member whose id is given in these attributes.
    public final func get(attributes: JSONObject) -> SyncModel? {
        guard let id = modelId(attributes, idAttribute: modelType.idAttribute), let key = Self.indexKey(id) else {
            return nil
        }
        return byId[key]
    }

    /// The member with this cid.
    public final func get(cid: String) -> SyncModel? { byCid[cid] }

    /// Whether `get` finds something for this id or cid.
    public final func has(_ id: JSON) -> Bool { get(id) != nil }

    /// Whether the model (or one with its id) is a member.
    public final func has(_ model: SyncModel) -> Bool { get(model) != nil }

    /// The model at `index`; negative indexes count from the end; `nil` when out of range.
    public final func at(_ index: Int) -> SyncModel? {
        let i = index < 0 ? index + members.count : index
        return i >= 0 && i < members.count ? members[i] : nil
    }

    /// The models in `range` (Backbone's `slice`; negative bounds count from the end).
    public final func slice(_ begin: Int = 0, _ end: Int? = nil) -> [SyncModel] {
        let n = models.count
        func clamp(_ i: Int) -> Int { i < 0 ? Swift.max(0, i + n) : Swift.min(i, n) }
        let b = clamp(begin), e = clamp(end ?? n)
        return b < e ? Array(models[b..<e]) : []
    }

    /// The index key of an id: Backbone stores ids as JavaScript object keys, i.e. strings.
    static func indexKey(_ id: JSON) -> String? {
        switch id {
        case .null: return nil
        case .string(let s): return s
        case .number(.int(let i)): return String(i)
        case .number(.double(let d)):
            if let i = Int64(exactly: d) { return String(i) }
            return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .array, .object: return id.serialized()
        }
    }

    /// The index key of a model's current id, via ``modelId(_:idAttribute:)``.
    final func indexKey(of model: SyncModel) -> String? {
        modelId(model.storage, idAttribute: model.idAttribute).flatMap(Self.indexKey)
    }

    // MARK: Membership

    /// Backbone's `_addReference`: index the model and start bubbling its events.
    final func addReference(_ model: SyncModel) {
        byCid[model.cid] = model
        if let key = indexKey(of: model) { byId[key] = model }
        if model.collection == nil { model.collection = self }
        model.eventHub.append(bubbleHandler, to: .builtin(.all))
    }

    /// Backbone's `_removeReference`.
    final func removeReference(_ model: SyncModel) {
        byCid[model.cid] = nil
        if let key = indexKey(of: model), byId[key] === model { byId[key] = nil }
        dropReference(model)
    }

    final func dropReference(_ model: SyncModel) {
        if model.collection === self { model.collection = nil }
        model.eventHub.remove(key: .builtin(.all), token: bubbleToken.id, context: ObjectIdentifier(self))
    }

    /// Backbone's `_onModelEvent`: re-emit a member's event on the collection.
    final func onModelEvent(_ event: Event) {
        switch event {
        case .changeAttribute(_, let key, _, _):
            // The hot cases go straight to the cached targets (same lists, same order as `trigger`).
            if let targets = eventHub.attributeTargets(key) { eventHub.run(targets, event) }
            return
        case .change:
            if let targets = eventHub.changeTargets() { eventHub.run(targets, event) }
            return
        case .add(_, let collection, _), .remove(_, let collection, _):
            if collection !== self { return }
        case .destroy(let model, _, let options):
            remove(model, options: options)
        case .changeId(let model, _, _):
            let previous = modelId(model.previousAttributes(), idAttribute: model.idAttribute).flatMap(Self.indexKey)
            if let previous { byId[previous] = nil }
            if let key = indexKey(of: model) { byId[key] = model }
        case .custom(let name, _):
            if name == "add" || name == "remove" { return }
        default:
            break
        }
        eventHub.trigger(event)
    }
}
