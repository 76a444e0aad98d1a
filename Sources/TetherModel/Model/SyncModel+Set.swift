// Backbone's `Model.set` (backbone.js 1.6.1, line 477), kept step for step.

extension SyncModel {
    /// The set algorithm: validate, write every attribute, `changeId`, `change:<key>` per changed key,
    /// then (outermost call only) `change` repeated while nested sets left something pending.

    @discardableResult
    final func applySet<S: Sequence>(_ attrs: S, options: SetOptions) -> Bool
    where S.Element == (key: String, value: JSON) {
        if options.validate && !passesValidation(attrs, options: options) { return false }
        let unset = options.unset
        let silent = options.silent
        let wasChanging = isChanging
        isChanging = true
        if !wasChanging { records.removeAll(keepingCapacity: true) }

        let base = changedStack.count
        var touchedId = false
        var mutated = false
        for (key, value) in attrs {
            if !touchedId && key == idAttribute { touchedId = true }
            let changed = unset ? remove(key) : write(key, value)
            if changed {
                changedStack.append(key)
                mutated = true
            }
        }
        if mutated { observationDidChange() }
        let end = changedStack.count

        if touchedId {
            let previousId = id
            id = storage[idAttribute]
            if id != previousId { eventHub.trigger(.changeId(self, previousId: previousId, options)) }
        }
        if !silent {
            if end > base { pending = options }
            var i = base
            while i < end {
                let key = changedStack[i]
                if eventHub.wantsAttribute(key) {
                    eventHub.dispatch(
                        .changeAttribute(self, key: key, value: storage[key], options), key: .attribute(key))
                }
                i += 1
            }
        }
        changedStack.removeSubrange(base..<changedStack.count)
        if wasChanging { return true }
        if !silent {
            while let options = pending {
                pending = nil
                if eventHub.wants(.change) { eventHub.dispatch(.change(self, options), builtin: .change) }
            }
        }
        pending = nil
        isChanging = false
        return true
    }

    /// Writes `value` for `key` in place; records the old value on the first change. Returns
    /// whether the value differs from the current one (Backbone's `changes`).
    final func write(_ key: String, _ value: JSON) -> Bool {
        let outcome: Bool? = storage.withValue(forKey: key) { slot in
            if slot == value { return false }
            var old = value
            swap(&old, &slot)
            track(key, old: old, new: value)
            return true
        }
        if let outcome { return outcome }
        storage.updateValue(value, forKey: key)
        track(key, old: nil, new: value)
        return true
    }

    /// Removes `key`; returns whether it was present (removing an absent key changes nothing).
    final func remove(_ key: String) -> Bool {
        guard let old = storage.removeValue(forKey: key) else { return false }
        track(key, old: old, new: nil)
        return true
    }

    /// Updates the change record of `key` after its value went from `old` to `new`.
    final func track(_ key: String, old: JSON?, new: JSON?) {
        var i = records.count - 1
        while i >= 0 {
            if records[i].key == key {
                let isChanged = records[i].previous != new
                if isChanged && !records[i].isChanged {
                    // Backbone deletes and re-adds the key in `changed`, moving it to the end.
                    var record = records.remove(at: i)
                    record.isChanged = true
                    records.append(record)
                } else {
                    records[i].isChanged = isChanged
                }
                return
            }
            i -= 1
        }
        records.append(ChangeRecord(key: key, previous: old, isChanged: true))
    }

    /// Backbone's `_validate`: runs `validate` on the attributes as they would be after the set.
    final func passesValidation<S: Sequence>(_ attrs: S, options: SetOptions) -> Bool
    where S.Element == (key: String, value: JSON) {
        var proposed = storage
        for (key, value) in attrs {
            if options.unset { proposed.removeValue(forKey: key) } else { proposed[key] = value }
        }
        return checkValidity(proposed, options: options)
    }

    /// Runs `validate`, stores ``validationError`` and fires `invalid` on failure.
    final func checkValidity(_ attributes: JSONObject, options: SetOptions) -> Bool {
        let error = validate(attributes, options: options)
        validationError = error
        guard let error else { return true }
        var options = options
        options.validationError = error
        eventHub.trigger(.invalid(self, error: error, options))
        return false
    }

    /// Whether the current attributes pass ``validate(_:options:)`` (fires `invalid` if not).
    public final func isValid(options: SetOptions = SetOptions()) -> Bool {
        var options = options
        options.validate = true
        return checkValidity(storage, options: options)
    }
}
