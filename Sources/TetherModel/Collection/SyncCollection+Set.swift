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
        let inputs = try Self.inputs(from: options.parse ? parse(.array(models), options: options) : models)
        return performSet(inputs, options: Self.setDefaults(options))
    }

    /// ``set(_:options:)`` with model instances.
    @discardableResult
    public final func set(_ models: [SyncModel], options: SetOptions = SetOptions()) -> [SyncModel?] {
        performSet(models.map(ModelInput.model), options: Self.setDefaults(options))
    }

    /// ``set(_:options:)`` with a mix of raw attributes and model instances.
    @discardableResult
    public final func set(_ inputs: [ModelInput], options: SetOptions = SetOptions()) -> [SyncModel?] {
        performSet(inputs, options: Self.setDefaults(options))
    }

    /// Adds models (and merges into existing ones only with `options.merge == true`); never removes.
    @discardableResult
    public final func add(_ models: [JSON], options: SetOptions = SetOptions()) throws(ModelError) -> [SyncModel?] {
        let inputs = try Self.inputs(from: options.parse ? parse(.array(models), options: options) : models)
        return performSet(inputs, options: Self.addDefaults(options))
    }

    /// ``add(_:options:)`` with model instances.
    @discardableResult
    public final func add(_ models: [SyncModel], options: SetOptions = SetOptions()) -> [SyncModel?] {
        performSet(models.map(ModelInput.model), options: Self.addDefaults(options))
    }

    /// Adds one model built from `attributes` (or returns the existing model with that id).
    @discardableResult
    public final func add(_ attributes: JSONObject, options: SetOptions = SetOptions()) -> SyncModel? {
        performSet([.attributes(attributes)], options: Self.addDefaults(options))[0]
    }

    /// Adds one model instance; returns it, or the member it matched.
    @discardableResult
    public final func add(_ model: SyncModel, options: SetOptions = SetOptions()) -> SyncModel? {
        performSet([.model(model)], options: Self.addDefaults(options))[0]
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
        let inputs = try Self.inputs(from: options.parse ? parse(.array(models), options: options) : models)
        return performReset(inputs, options: options)
    }

    /// ``reset(_:options:)`` with model instances.
    @discardableResult
    public final func reset(_ models: [SyncModel], options: SetOptions = SetOptions()) -> [SyncModel?] {
        performReset(models.map(ModelInput.model), options: options)
    }

    final func performReset(_ inputs: [ModelInput], options: SetOptions) -> [SyncModel?] {
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

    static func inputs(from models: [JSON]) throws(ModelError) -> [ModelInput] {
        var inputs: [ModelInput] = []
        inputs.reserveCapacity(models.count)
        for (index, element) in models.enumerated() {
            guard case .object(let attributes) = element else {
                throw .elementNotAnObject(index: index, type: element.typeName)
            }
            inputs.append(.attributes(attributes))
        }
        return inputs
    }

    /// The member an input refers to (Backbone's `get(model)` on an input element).
    final func existing(for input: ModelInput) -> SyncModel? {
        switch input {
        case .model(let model): return get(model)
        case .attributes(let attributes): return get(attributes: attributes)
        }
    }

    /// Backbone's `_prepareModel`: a model instance is used as is; attributes become a new model,
    /// or `nil` (and a collection `invalid` event) when it fails validation.
    final func prepareModel(_ input: ModelInput, options: SetOptions) -> SyncModel? {
        switch input {
        case .model(let model):
            if model.collection == nil { model.collection = self }
            return model
        case .attributes(let attributes):
            let model = modelType.init(attributes, options: options, collection: self)
            guard let error = model.validationError else { return model }
            eventHub.trigger(.collectionInvalid(self, error: error, options))
            return nil
        }
    }

    final func performSet(_ inputs: [ModelInput], options: SetOptions) -> [SyncModel?] {
        var options = options
        let add = options.add ?? true, remove = options.remove ?? true, merge = options.merge ?? true
        var at = options.at
        if var a = at {
            if a > models.count { a = models.count }
            if a < 0 { a = Swift.max(0, a + models.count + 1) }
            at = a
        }
        let sortable = comparator != nil && at == nil && options.sort != false
        let sortAttribute = comparator?.attributeName

        var result = [SyncModel?](repeating: nil, count: inputs.count)
        var setList: [SyncModel] = []
        var toAdd: [SyncModel] = []
        var toMerge: [SyncModel] = []
        var toRemove: [SyncModel] = []
        var seen = IdentitySet(capacity: inputs.count)
        setList.reserveCapacity(inputs.count)
        var sort = false

        for (i, input) in inputs.enumerated() {
            if let existing = existing(for: input) {
                if merge {
                    var attributes: JSONObject?
                    switch input {
                    case .model(let model): if model !== existing { attributes = model.storage }
                    case .attributes(let raw): attributes = raw
                    }
                    if var attributes {
                        if options.parse { attributes = existing.parse(.object(attributes), options: options) ?? [:] }
                        existing.applySet(attributes, options: options)
                        toMerge.append(existing)
                        if sortable && !sort { sort = existing.hasChanged(sortAttribute) }
                    }
                }
                if seen.insert(existing) { setList.append(existing) }
                result[i] = existing
            } else if add {
                if let model = prepareModel(input, options: options) {
                    toAdd.append(model)
                    addReference(model)
                    seen.insert(model)
                    setList.append(model)
                    result[i] = model
                }
            } else if case .model(let model) = input {
                result[i] = model
            }
        }

        if remove {
            var positions: [Int] = []
            for (index, model) in models.enumerated() where !seen.contains(model) {
                toRemove.append(model)
                positions.append(index)
            }
            if !toRemove.isEmpty { _ = removeModels(toRemove, options: &options, hint: positions) }
        }

        var orderChanged = false
        let replace = !sortable && add && remove
        if !setList.isEmpty && replace {
            orderChanged = models.count != setList.count || zip(models, setList).contains { $0 !== $1 }
            models = setList
        } else if !toAdd.isEmpty {
            if sortable { sort = true }
            members.insert(contentsOf: toAdd, at: Swift.min(at ?? members.count, members.count))
        }

        if sort { sortModels() }

        if !options.silent {
            for (i, model) in toAdd.enumerated() {
                if let at { options.index = at + i }
                model.eventHub.trigger(.add(model, self, options))
            }
            if sort || orderChanged { eventHub.trigger(.sort(self, options)) }
            if !toAdd.isEmpty || !toRemove.isEmpty || !toMerge.isEmpty {
                options.changes = CollectionChanges(added: toAdd, removed: toRemove, merged: toMerge)
                eventHub.trigger(.update(self, options))
            }
        }
        return result
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
