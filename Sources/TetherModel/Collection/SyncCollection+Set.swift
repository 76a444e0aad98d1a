// Backbone's `Collection.set` (backbone.js 1.6.1, line 844) and the calls built on it.

extension SyncCollection {
    /// Updates the collection to hold exactly `models`: merges into existing models (their change
    /// events fire first), removes models missing from the input (`remove` events), adds new ones
    /// (`add`), then fires `sort` and `update`. Each step can be turned off with `options.add`,
    /// `.remove`, `.merge`; `options.at` inserts at an index; `options.silent` fires nothing.
    ///
    /// - Returns: The models aligned with the input: the existing or new model, or `nil` for an
    ///   element that was invalid or not added.
    /// - Throws: ``ModelError/elementNotAnObject(index:type:)`` before changing anything.
    @discardableResult
    public final func set(_ models: [JSON], options: SetOptions = SetOptions()) throws(ModelError) -> [SyncModel?] {
        try performSet(json: models, options: Self.setDefaults(options))
    }

    /// ``set(_:options:)`` with model instances.
    @discardableResult
    public final func set(_ models: [SyncModel], options: SetOptions = SetOptions()) -> [SyncModel?] {
        models.withUnsafeBufferPointer { performSet(ModelInstanceInputs(models: $0), options: Self.setDefaults(options)) }
    }

    /// ``set(_:options:)`` with a mix of raw attributes and model instances.
    @discardableResult
    public final func set(_ inputs: [ModelInput], options: SetOptions = SetOptions()) -> [SyncModel?] {
        inputs.withUnsafeBufferPointer { performSet(ModelInputs(inputs: $0), options: Self.setDefaults(options)) }
    }

    /// Adds models (and merges into existing ones only with `options.merge == true`); never removes.
    @discardableResult
    public final func add(_ models: [JSON], options: SetOptions = SetOptions()) throws(ModelError) -> [SyncModel?] {
        try performSet(json: models, options: Self.addDefaults(options))
    }

    /// ``add(_:options:)`` with model instances.
    @discardableResult
    public final func add(_ models: [SyncModel], options: SetOptions = SetOptions()) -> [SyncModel?] {
        models.withUnsafeBufferPointer { performSet(ModelInstanceInputs(models: $0), options: Self.addDefaults(options)) }
    }

    /// Adds one model built from `attributes` (or returns the existing model with that id).
    @discardableResult
    public final func add(_ attributes: JSONObject, options: SetOptions = SetOptions()) -> SyncModel? {
        set([.attributes(attributes)], options: Self.addDefaults(options))[0]
    }

    /// Adds one model instance; returns it, or the member it matched.
    @discardableResult
    public final func add(_ model: SyncModel, options: SetOptions = SetOptions()) -> SyncModel? {
        set([model], options: Self.addDefaults(options))[0]
    }

    /// Adds at the end without sorting (Backbone's `push`).
    @discardableResult
    public final func push(_ model: SyncModel, options: SetOptions = SetOptions()) -> SyncModel? {
        var options = options
        options.at = models.count
        return add(model, options: options)
    }

    /// ``push(_:options:)`` with raw attributes.
    @discardableResult
    public final func push(_ attributes: JSONObject, options: SetOptions = SetOptions()) -> SyncModel? {
        var options = options
        options.at = models.count
        return add(attributes, options: options)
    }

    /// Adds at the front without sorting (Backbone's `unshift`).
    @discardableResult
    public final func unshift(_ model: SyncModel, options: SetOptions = SetOptions()) -> SyncModel? {
        var options = options
        options.at = 0
        return add(model, options: options)
    }

    /// ``unshift(_:options:)`` with raw attributes.
    @discardableResult
    public final func unshift(_ attributes: JSONObject, options: SetOptions = SetOptions()) -> SyncModel? {
        var options = options
        options.at = 0
        return add(attributes, options: options)
    }

    /// Removes and returns the last model (`nil` when empty).
    @discardableResult
    public final func pop(options: SetOptions = SetOptions()) -> SyncModel? {
        guard let last = models.last else { return nil }
        return remove(last, options: options)
    }

    /// Removes and returns the first model (`nil` when empty).
    @discardableResult
    public final func shift(options: SetOptions = SetOptions()) -> SyncModel? {
        guard let first = models.first else { return nil }
        return remove(first, options: options)
    }

    // MARK: Remove

    /// Removes the member matching `model` (by id or cid); fires `remove` then `update`.
    /// Returns the removed member, or `nil` if it was not found.
    @discardableResult
    public final func remove(_ model: SyncModel, options: SetOptions = SetOptions()) -> SyncModel? {
        remove([model], options: options).first
    }

    /// Removes the member with this id or cid.
    @discardableResult
    public final func remove(id: JSON, options: SetOptions = SetOptions()) -> SyncModel? {
        guard let model = get(id) else { return nil }
        return remove(model, options: options)
    }

    /// Removes several members; returns those actually removed (`update` only if any were).
    @discardableResult
    public final func remove(_ models: [SyncModel], options: SetOptions = SetOptions()) -> [SyncModel] {
        var options = options
        let removed = removeModels(models, options: &options, hint: nil)
        if !options.silent && !removed.isEmpty {
            options.changes = CollectionChanges(removed: removed)
            eventHub.trigger(.update(self, options))
        }
        return removed
    }

    // MARK: Reset

    /// Replaces every model without `add`/`remove` events, then fires `reset` (with
    /// `options.previousModels`). Returns the new models.
    @discardableResult
    public final func reset(_ models: [JSON] = [], options: SetOptions = SetOptions()) throws(ModelError) -> [SyncModel?] {
        let elements = options.parse ? parse(.array(models), options: options) : models
        try JSONObjectInputs.check(elements)
        return elements.withUnsafeBufferPointer { performReset(JSONObjectInputs(elements: $0), options: options) }
    }

    /// ``reset(_:options:)`` with model instances.
    @discardableResult
    public final func reset(_ models: [SyncModel], options: SetOptions = SetOptions()) -> [SyncModel?] {
        models.withUnsafeBufferPointer { performReset(ModelInstanceInputs(models: $0), options: options) }
    }

    final func performReset<Inputs: SetInputSource>(_ inputs: Inputs, options: SetOptions) -> [SyncModel?] {
        var options = options
        for model in models { removeReference(model) }
        options.previousModels = models
        models = []
        byId.removeAll()
        byCid.removeAll()
        var addOptions = Self.addDefaults(options)
        addOptions.silent = true
        let result = performSet(inputs, options: addOptions)
        if !options.silent { eventHub.trigger(.reset(self, options)) }
        return result
    }

    // MARK: Sort

    /// Re-sorts by the comparator and fires `sort` (unless silent).
    ///
    /// - Throws: ``ModelError/noComparator`` when the collection has no comparator.
    public final func sort(options: SetOptions = SetOptions()) throws(ModelError) {
        guard comparator != nil else { throw .noComparator }
        sortModels()
        if !options.silent { eventHub.trigger(.sort(self, options)) }
    }

    /// Stable sort by the comparator.
    final func sortModels() {
        guard let comparator else { return }
        switch comparator {
        case .attribute(let name):
            sortBy { $0.storage[name] }
        case .key(let key):
            sortBy(key)
        case .areInIncreasingOrder(let less):
            var indexed = Array(models.enumerated())
            indexed.sort { a, b in
                if less(a.element, b.element) { return true }
                if less(b.element, a.element) { return false }
                return a.offset < b.offset
            }
            models = indexed.map(\.element)
        }
    }

    final func sortBy(_ key: (SyncModel) -> JSON?) {
        var keyed = models.enumerated().map { (offset: $0.offset, key: key($0.element), model: $0.element) }
        keyed.sort { a, b in
            SortKeyOrder.ascending(a.key, b.key) ?? (a.offset < b.offset)
        }
        models = keyed.map(\.model)
    }

    // MARK: The algorithm

    static func setDefaults(_ options: SetOptions) -> SetOptions {
        var options = options
        if options.add == nil { options.add = true }
        if options.remove == nil { options.remove = true }
        if options.merge == nil { options.merge = true }
        return options
    }

    static func addDefaults(_ options: SetOptions) -> SetOptions {
        var options = options
        if options.merge == nil { options.merge = false }
        options.add = true
        options.remove = false
        return options
    }

    /// `set`/`add` of JSON elements: `parse` if asked, check that every element is an object
    /// (before anything changes), then run the algorithm on the elements in place.
    final func performSet(json models: [JSON], options: SetOptions) throws(ModelError) -> [SyncModel?] {
        let elements = options.parse ? parse(.array(models), options: options) : models
        try JSONObjectInputs.check(elements)
        return elements.withUnsafeBufferPointer { performSet(JSONObjectInputs(elements: $0), options: options) }
    }

    /// The member that raw attributes refer to (Backbone's `get(attrs)`). A plain
    /// `SyncCollection` reads the id attribute directly; subclasses go through their
    /// ``modelId(_:idAttribute:)``.
    ///
    /// Unretained: the id index holds the member until the next change to the collection.
    @inline(__always)
    final func member(for attributes: UnsafePointer<JSONObject>, idAttribute: String, defaultModelId: Bool) -> Unmanaged<SyncModel>? {
        if !defaultModelId { return get(attributes: attributes.pointee).map { Unmanaged.passUnretained($0) } }
        // The id is read where it lies (a copy of the attributes costs atomic reference counts).
        return JSONObject.withValue(forKey: idAttribute, in: attributes) { id -> Unmanaged<SyncModel>? in
            guard let id else { return nil }
            switch id.pointee {
            case .null: return nil
            case .string(let key): return byId.unretained(key)
            default: return Self.indexKey(id.pointee).flatMap { byId.unretained($0) }
            }
        }
    }

    /// Backbone's `_prepareModel`: a model instance is used as is; attributes become a new model,
    /// or `nil` (and a collection `invalid` event) when it fails validation.
    final func prepareModel(attributes: JSONObject?, model: SyncModel?, options: SetOptions) -> SyncModel? {
        if let model {
            if model.collection == nil { model.collection = self }
            return model
        }
        let created = modelType.init(attributes ?? [:], options: options, collection: self)
        guard let error = created.validationError else { return created }
        eventHub.trigger(.collectionInvalid(self, error: error, options))
        return nil
    }

    /// A model new to the collection joins the lists of one `set` call: to add (now referenced by
    /// the collection), seen, the new order and the result.
    @inline(__always)
    final func takeNew(
        _ model: SyncModel, toAdd: inout [SyncModel], seen: inout IdentitySet,
        setList: inout [Unmanaged<SyncModel>], result: inout FixedBuffer<SyncModel?>
    ) {
        toAdd.append(model)
        addReference(model)
        seen.insert(model)
        setList.append(Unmanaged.passUnretained(model))
        result.append(model)
    }

    final func performSet<Inputs: SetInputSource>(_ inputs: Inputs, options: SetOptions) -> [SyncModel?] {
        var options = options
        let add = options.add ?? true, remove = options.remove ?? true, merge = options.merge ?? true
        var at = options.at
        if var a = at {
            if a > members.count { a = members.count }
            if a < 0 { a = Swift.max(0, a + members.count + 1) }
            at = a
        }
        let sortable = comparator != nil && at == nil && options.sort != false
        let sortAttribute = comparator?.attributeName
        let count = inputs.count
        let idAttribute = modelType.idAttribute
        // `modelId` can only be overridden by a subclass.
        let defaultModelId = type(of: self) == SyncCollection.self
        let parse = options.parse

        // One element per input: the existing or new model, or nil.
        var result = FixedBuffer<SyncModel?>(capacity: count)
        // Unretained: every model in it is also in `result`, which keeps it alive.
        var setList: [Unmanaged<SyncModel>] = []
        setList.reserveCapacity(count)
        var toAdd: [SyncModel] = []
        var merged = MergeMarks(inputs: merge ? count : 0)
        var toRemove: [SyncModel] = []
        var seen = IdentitySet(capacity: count)
        var sort = false
        // Large merges into a plain collection look models up and fetch their data a few inputs
        // ahead (see MergeLookahead).
        var lookahead = defaultModelId && count >= MergeLookahead.minimumInputs && inputs.attributesAddress(at: 0) != nil
            ? MergeLookahead(index: byId) : nil

        for i in 0..<count {
            lookahead?.advance(at: i, inputs, collection: self, idAttribute: idAttribute)
            // Raw attributes are borrowed where they lie (no copy of the object per input).
            let wasAttributes = inputs.withAttributes(at: i) { attributesAddress in
                let found: Unmanaged<SyncModel>?
                if let early = lookahead?.member(at: i) {
                    found = early
                } else {
                    found = member(for: attributesAddress, idAttribute: idAttribute, defaultModelId: defaultModelId)
                }
                if let found {
                    // `result` takes the one reference that keeps the model alive through the
                    // merge's handlers (which may remove it); the rest borrows.
                    result.append(found.takeUnretainedValue())
                    found._withUnsafeGuaranteedRef { existing in
                        if merge {
                            if parse {
                                existing.applySet(existing.parse(.object(attributesAddress.pointee), options: options) ?? [:], options: options)
                            } else {
                                existing.applySet(attributesAt: attributesAddress, options: options)
                            }
                            merged.mark(i)
                            if sortable && !sort { sort = existing.hasChanged(sortAttribute) }
                        }
                        if seen.insert(existing) { setList.append(found) }
                    }
                } else if add, let model = prepareModel(attributes: attributesAddress.pointee, model: nil, options: options) {
                    takeNew(model, toAdd: &toAdd, seen: &seen, setList: &setList, result: &result)
                } else {
                    result.append(nil)
                }
            }
            if wasAttributes { continue }
            guard let inputModel = inputs.model(at: i) else {
                result.append(nil)
                continue
            }
            if let existing = get(inputModel) {
                if merge && inputModel !== existing {
                    var changes = inputModel.storage
                    if parse { changes = existing.parse(.object(changes), options: options) ?? [:] }
                    existing.applySet(changes, options: options)
                    merged.mark(i)
                    if sortable && !sort { sort = existing.hasChanged(sortAttribute) }
                }
                if seen.insert(existing) { setList.append(Unmanaged.passUnretained(existing)) }
                result.append(existing)
            } else if add, let model = prepareModel(attributes: nil, model: inputModel, options: options) {
                takeNew(model, toAdd: &toAdd, seen: &seen, setList: &setList, result: &result)
            } else {
                result.append(add ? nil : inputModel)
            }
        }

        if remove {
            let (absent, positions) = members.absent(from: seen)
            if !absent.isEmpty {
                toRemove = absent
                _ = removeModels(toRemove, options: &options, hint: positions)
            }
        }

        var orderChanged = false
        let replace = !sortable && add && remove
        if !setList.isEmpty && replace {
            // Backbone counts a change of length as a change of order too.
            orderChanged = !members.matches(setList)
            if orderChanged { members.adopt(setList, adding: toAdd, seen: &seen) }
        } else if !toAdd.isEmpty {
            if sortable { sort = true }
            members.insert(contentsOf: toAdd, at: Swift.min(at ?? members.count, members.count))
        }

        if sort { sortModels() }

        let results = result.takeArray()
        if !options.silent {
            for (i, model) in toAdd.enumerated() {
                if let at { options.index = at + i }
                model.eventHub.trigger(.add(model, self, options))
            }
            if sort || orderChanged { eventHub.trigger(.sort(self, options)) }
            if !toAdd.isEmpty || !toRemove.isEmpty || merged.count > 0 {
                options.changes = CollectionChanges(
                    added: toAdd, removed: toRemove, merged: MergedModels(results: results, marks: merged))
                eventHub.trigger(.update(self, options))
            }
        }
        return results
    }

    /// Backbone's `_removeModels`: splice each model out, unindex it, fire `remove` with its index
    /// at that moment, then drop the reference. `hint` holds the models' positions before the
    /// first removal (in order), which makes each lookup O(1) unless a handler reorders things.
    ///
    /// Each splice only widens ``members``' gap, so removals in order cost O(n) altogether; a
    /// handler that reads the models closes the gap and sees the spliced list.
    final func removeModels(_ candidates: [SyncModel], options: inout SetOptions, hint: [Int]?) -> [SyncModel] {
        var removed: [SyncModel] = []
        removed.reserveCapacity(candidates.count)
        for (k, candidate) in candidates.enumerated() {
            guard let model = get(candidate) else { continue }
            let index: Int
            if let hint, model === candidate, hint[k] - removed.count >= 0, hint[k] - removed.count < members.count,
                members[hint[k] - removed.count] === model
            {
                index = hint[k] - removed.count
            } else if let found = members.index(of: model) {
                index = found
            } else {
                continue
            }
            members.removeLeavingGap(at: index)
            byCid[model.cid] = nil
            if let key = indexKey(of: model), byId[key] === model { byId[key] = nil }
            if !options.silent {
                options.index = index
                model.eventHub.trigger(.remove(model, self, options))
            }
            removed.append(model)
            removeReference(model)
        }
        members.close()
        if !candidates.isEmpty && !options.silent { options.index = nil }
        return removed
    }
}
