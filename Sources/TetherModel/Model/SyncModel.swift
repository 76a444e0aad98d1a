/// A Backbone model: an ordered JSON object of attributes that fires `change` events like Backbone 1.6.1.
///
/// ```swift
/// let todo = SyncModel(["id": 1, "title": "milk"])
/// todo.on("change:title") { event in print(event) }
/// todo.set("title", "oat milk")          // change:title, then change
/// ```
///
/// Subclass to customise it the Backbone way: override ``defaults``, ``idAttribute``, ``cidPrefix``
/// (class properties) and ``validate(_:options:)`` / ``parse(_:options:)``.
///
/// ## Concurrency
/// A model is a non-`Sendable` class confined to one isolation domain: create it, mutate it and
/// listen to it from the same actor (the main actor in apps, one actor in agents). Nothing here
/// takes a lock; the compiler's region checks keep a model from crossing domains.
open class SyncModel: EventEmitter {
    // Stored properties lie in declaration order. The ones every `set` reads come first, so a
    // collection merge that changes nothing touches the model's first two cache lines only
    // (MergeLookahead prefetches those): the header, attributes, id attribute and flags in the
    // first, the change bookkeeping in the second.

    /// The attributes, in insertion order (``attributes`` is the observed public view).
    @exclusivity(unchecked) final var storage: JSONObject
    /// The attribute that holds the model's id (``idAttribute`` of the class, `"id"` by default).
    public final let idAttribute: String
    /// Whether a `set` is in progress (Backbone's `_changing`).
    @exclusivity(unchecked) final var isChanging = false
    /// Whether the previous-attributes snapshot is the empty object taken before the constructor's
    /// `set` (a fresh model), so construction records nothing per key.
    @exclusivity(unchecked) final var previousIsEmpty = false
    /// Whether ``id`` was assigned directly since a `set` last read it, so it may differ from the
    /// id attribute. Otherwise a `set` whose id attribute did not change can skip re-reading it.
    @exclusivity(unchecked) final var idIsAssigned = false
    /// Whether the outermost `set`'s own options are pending (saves copying them).
    @exclusivity(unchecked) final var pendingIsOwn = false
    /// The UTF-8 length of the id attribute when only strings of that length can equal it
    /// (`CanonicalASCII.hasOneSpelling`), up to 255; otherwise 0.
    final let idAttributeFixedLength: UInt8
    /// Records `0..<liveRecords` are current; later slots are spare capacity from earlier sets.
    @exclusivity(unchecked) final var liveRecords = 0
    /// Options of the latest nested `set` that changed something (Backbone's `_pending`).
    @exclusivity(unchecked) final var pending: SetOptions?
    /// Keys touched since the outermost `set` began (Backbone's `changed` and `_previousAttributes`).
    @exclusivity(unchecked) final var records = ChangeRecords()
    /// Keys changed by the `set` calls on the stack, each call owning a suffix.
    @exclusivity(unchecked) final var changedStack: [String] = []

    /// The model's event handlers.
    public final let eventHub = EventHub()
    /// A client id unique in this process (`"c1"`, `"c7"`), for models that have no id yet.
    public final let cid: String
    /// The model's id: refreshed from ``idAttribute`` whenever a `set` includes that key.
    ///
    /// Assigning it directly is allowed (as in Backbone) and lasts until a `set` touches the id attribute.
    public final var id: JSON? {
        get { storedId }
        set {
            storedId = newValue
            idIsAssigned = true
        }
    }
    /// ``id`` as last read from the attributes (or assigned).
    @exclusivity(unchecked) final var storedId: JSON?
    /// The collection that owns the model: the first collection it was added to (held weakly).
    public final internal(set) weak var collection: SyncCollection?
    /// The error returned by the last validation that ran, `nil` if it passed.
    public final internal(set) var validationError: JSON?

    /// The attributes, in insertion order. Mutate them with `set`, `unset` or `clear`.
    public final var attributes: JSONObject {
        observationAccess()
        return storage
    }

    /// Observation support (see `SyncModel+Observation.swift`).
    final let observation = ModelObservation()

    /// The id attribute name for models of this class (Backbone's `idAttribute`).
    open class var idAttribute: String { "id" }
    /// Attributes every new model starts with; given attributes override them.
    open class var defaults: JSONObject { [:] }
    /// The prefix of ``cid`` (Backbone's `cidPrefix`).
    open class var cidPrefix: String { "c" }

    /// Creates a model: `defaults` overlaid by `attributes` (after `parse` when `options.parse`), set
    /// with `options`, then `changed` is cleared.
    ///
    /// With `options.validate` a failing model starts empty with ``validationError`` set.
    public required init(_ attributes: JSONObject = [:], options: SetOptions = SetOptions(), collection: SyncCollection? = nil) {
        cid = Self.cidPrefix + String(UniqueCounter.cids.next())
        idAttribute = Self.idAttribute
        idAttributeFixedLength = CanonicalASCII.hasOneSpelling(idAttribute) ? UInt8(exactly: idAttribute.utf8.count) ?? 0 : 0
        storage = JSONObject(minimumCapacity: attributes.count)
        self.collection = collection
        var attrs = attributes
        if options.parse { attrs = parse(.object(attrs), options: options) ?? [:] }
        let defaults = Self.defaults
        if !defaults.isEmpty {
            var merged = defaults
            for (key, value) in attrs { merged[key] = value }
            attrs = merged
        }
        if options.validate || options.unset {
            applySet(attrs, options: options)
            for i in 0..<liveRecords { records.pointer(at: i).pointee.isChanged = false }
        } else {
            // Nobody can listen yet, so the constructor's `set` reduces to its end state: the
            // attributes (shared, not copied), the id, an empty `changed` and an empty snapshot.
            storage = attrs
            storedId = attrs[idAttribute]
            previousIsEmpty = true
        }
    }

    /// Convenience: a model from a JSON value that must be an object.
    ///
    /// - Throws: ``ModelError/notAnObject(_:)`` for any other JSON value.
    public convenience init(json: JSON, options: SetOptions = SetOptions()) throws(ModelError) {
        guard case .object(let attributes) = json else { throw .notAnObject(json.typeName) }
        self.init(attributes, options: options)
    }

    // MARK: Hooks

    /// Checks attributes before a `set` with `options.validate` (and in ``isValid(options:)``).
    /// Return an error value to reject the change; `nil` accepts it. The default accepts everything.
    ///
    /// - Parameter attributes: The current attributes with the proposed change applied.
    open func validate(_ attributes: JSONObject, options: SetOptions) -> JSON? { nil }

    /// Converts a raw response into attributes when `options.parse` is set (identity by default).
    /// Returning `nil` yields an empty model, like Backbone's `parse` returning `null`.
    open func parse(_ response: JSON, options: SetOptions) -> JSONObject? { response.objectValue }

    // MARK: Accessors

    /// The value of attribute `key`, or `nil` when absent.
    public final func get(_ key: String) -> JSON? {
        observationAccess()
        return storage[key]
    }

    /// Whether attribute `key` is present and not `null` (Backbone's `has`: `0`, `false`, `""` count).
    public final func has(_ key: String) -> Bool {
        guard let value = get(key) else { return false }
        return !value.isNull
    }

    /// Whether the model has no id yet (its id attribute is absent or `null`).
    public final var isNew: Bool { !has(idAttribute) }

    /// The attributes as a JSON object (a copy; Backbone's `toJSON`).
    public final func toJSON() -> JSON { .object(attributes) }

    /// A new model of the same class with the same attributes and a new ``cid`` (no collection).
    open func clone() -> Self { Self(attributes) }

    // MARK: Setting

    /// Sets one attribute. Fires `changeId` (if the id changed), `change:<key>` and `change`
    /// unless nothing changed or `options.silent`.
    ///
    /// - Returns: `false` if validation was requested and failed (nothing is applied).
    @discardableResult
    public final func set(_ key: String, _ value: JSON, options: SetOptions = SetOptions()) -> Bool {
        applySingle(key, value, options: options)
    }

    /// Sets several attributes at once; `change:<key>` events fire in the order of `attributes`,
    /// after all of them are written.
    @discardableResult
    public final func set(_ attributes: JSONObject, options: SetOptions = SetOptions()) -> Bool {
        applySet(attributes, options: options)
    }

    /// Removes attribute `key`, firing `change:<key>` (value `nil`) and `change` if it was present.
    @discardableResult
    public final func unset(_ key: String, options: SetOptions = SetOptions()) -> Bool {
        var options = options
        options.unset = true
        return applySingle(key, .null, options: options)
    }

    /// Removes every attribute (the id too, firing `changeId`).
    @discardableResult
    public final func clear(options: SetOptions = SetOptions()) -> Bool {
        var options = options
        options.unset = true
        return applySet(storage, options: options)
    }

    /// Fires `destroy (model, collection, options)` after dropping this model's `listenTo`
    /// registrations; collections holding the model remove it. (Local only: no network request.)
    public final func destroy(options: SetOptions = SetOptions()) {
        stopListening()
        trigger(.destroy(self, collection, options))
    }
}

/// Errors for JSON input that cannot become models.
public enum ModelError: Error, Equatable, Sendable {
    /// Model attributes must be a JSON object; the payload names the type that was given.
    case notAnObject(String)
    /// Collection input at `index` is not a JSON object (the collection was not changed).
    case elementNotAnObject(index: Int, type: String)
    /// `sort()` was called on a collection without a comparator.
    case noComparator
}
