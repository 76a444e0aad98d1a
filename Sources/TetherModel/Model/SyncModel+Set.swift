// Backbone's `Model.set` (backbone.js 1.6.1, line 477), kept step for step.

extension SyncModel {
    /// The set algorithm: validate, write every attribute, `changeId`, `change:<key>` per changed key,
    /// then (outermost call only) `change` repeated while nested sets left something pending.
    @discardableResult
    final func applySet<S: Sequence>(_ attrs: S, options: SetOptions) -> Bool
    where S.Element == (key: String, value: JSON) {
        if options.validate && !passesValidation(attrs, options: options) { return false }
        return applySet(
            options: options, changesNothing: { changesNothing(attrs) },
            writeAll: { writeAll(attrs, unset: options.unset, touchedId: &$0, mutated: &$1) })
    }

    /// ``applySet(_:options:)`` of the attributes at `object`, read where they lie: a collection
    /// merge borrows each input this way (a copy costs atomic reference counts, see
    /// `JSONObject.equal`).
    @discardableResult
    final func applySet(attributesAt object: UnsafePointer<JSONObject>, options: SetOptions) -> Bool {
        if options.validate && !passesValidation(object.pointee, options: options) { return false }
        return applySet(
            options: options, changesNothing: { changesNothing(attributesAt: object) },
            writeAll: { writeAll(object.pointee, unset: options.unset, touchedId: &$0, mutated: &$1) })
    }

    /// The body of both `applySet`s.
    @inline(__always)
    final func applySet(
        options: SetOptions, changesNothing: () -> Bool?, writeAll: (inout Bool, inout Bool) -> Void
    ) -> Bool {
        let wasChanging = isChanging
        isChanging = true
        if !wasChanging { resetRecords() }

        // The outermost call starts with an empty stack, and only a change pushes on it: a merge
        // that changes nothing never reads the stack (its buffer would be one more cache miss).
        let base = wasChanging ? changedStack.count : 0
        var touchedId = false
        var mutated = false
        // A merge usually repeats the stored attributes: one read-only walk proves nothing
        // changes and skips every keyed lookup.
        if !options.unset, let touchesId = changesNothing() {
            touchedId = touchesId
        } else {
            writeAll(&touchedId, &mutated)
        }
        if mutated { observationDidChange() }
        let end = mutated ? changedStack.count : base
        return finishSet(options: options, wasChanging: wasChanging, base: base, end: end, touchedId: touchedId)
    }

    /// The write loop of `set`: every key, in order; changed keys go on ``changedStack``.
    final func writeAll<S: Sequence>(_ attrs: S, unset: Bool, touchedId: inout Bool, mutated: inout Bool)
    where S.Element == (key: String, value: JSON) {
        var position = 0
        for (key, value) in attrs {
            if !touchedId && isIdAttribute(key) { touchedId = true }
            let changed = unset ? remove(key) : write(key, value, hint: position)
            position += 1
            if changed {
                changedStack.append(key)
                mutated = true
            }
        }
    }

    /// The event part of `set` after the writes: `changeId`, `change:<key>`, the `change` loop.
    final func finishSet(options: SetOptions, wasChanging: Bool, base: Int, end: Int, touchedId: Bool) -> Bool {
        let silent = options.silent
        // Backbone re-reads the id whenever `attrs` names the id attribute; it can only differ
        // when that attribute changed or the id was assigned directly.
        if touchedId && (idIsAssigned || (end > base && changedStack[base..<end].contains(where: isIdAttribute))) {
            refreshId(options)
        }
        if !silent {
            if end > base { markPending(options, outermost: !wasChanging) }
            var i = base
            while i < end {
                let key = changedStack[i]
                if let targets = eventHub.attributeTargets(key) {
                    eventHub.deliverAttributeChange(targets, model: self, key: key, value: storage[key], options: options)
                }
                i += 1
            }
        }
        // Nested sets (in the handlers above) popped their own keys, so the stack ends at `end`.
        if end > base { changedStack.removeLast(end - base) }
        if wasChanging { return true }
        if !options.silent { fireChangeLoop(options) }
        clearPending()
        isChanging = false
        return true
    }

    /// Reads ``id`` from the attributes again; fires `changeId` if it differs.
    final func refreshId(_ options: SetOptions) {
        let previousId = storedId
        storedId = storage[idAttribute]
        idIsAssigned = false
        if storedId != previousId { eventHub.trigger(.changeId(self, previousId: previousId, options)) }
    }

    /// If `set(attrs)` would change no attribute, whether `attrs` names the id attribute; `nil`
    /// when something may change. A whole object of the stored size is compared as a map
    /// (see ``changesNothing(attributesAt:)``); other input is walked against the stored order.
    final func changesNothing<S: Sequence>(_ attrs: S) -> Bool? where S.Element == (key: String, value: JSON) {
        if S.self == JSONObject.self {
            return withUnsafePointer(to: attrs) { raw in
                changesNothing(attributesAt: UnsafeRawPointer(raw).assumingMemoryBound(to: JSONObject.self))
            }
        }
        return matchesInOrder(attrs)
    }

    /// ``changesNothing(_:)`` for the object at `object`. Both objects are read where they lie
    /// (see `JSONObject.equal`): same keys with equal values means every write would be a no-op,
    /// whatever the order.
    final func changesNothing(attributesAt object: UnsafePointer<JSONObject>) -> Bool? {
        guard object.pointee.count == storage.count else { return matchesInOrder(object.pointee) }
        guard withUnsafePointer(to: &storage, { JSONObject.equal(object, $0) }) else { return nil }
        return JSONObject.contains(key: idAttribute, in: object)
    }

    /// If `attrs` lists stored keys in stored order with equal values (so `set` changes nothing),
    /// whether one of them is the id attribute; `nil` otherwise.
    final func matchesInOrder<S: Sequence>(_ attrs: S) -> Bool? where S.Element == (key: String, value: JSON) {
        var stored = storage.makeIterator()
        var touchesId = false
        for (key, value) in attrs {
            guard let (storedKey, storedValue) = stored.next(), storedKey == key, storedValue == value else {
                return nil
            }
            if !touchesId && isIdAttribute(key) { touchesId = true }
        }
        return touchesId
    }

    /// `key == idAttribute` (Swift's canonical equivalence, as the attribute storage uses), with a
    /// length check first when no string of another length can equal the id attribute.
    @inline(__always)
    final func isIdAttribute(_ key: String) -> Bool {
        let fixed = idAttributeFixedLength
        if fixed != 0 { return key.utf8.count == Int(fixed) && key == idAttribute }
        return key == idAttribute
    }

    /// Backbone's `_pending = options`. The outermost call's own options are not copied: a flag
    /// says "the options of the call now running the change loop".
    @inline(__always)
    final func markPending(_ options: SetOptions, outermost: Bool) {
        if outermost {
            clearPending()
            pendingIsOwn = true
        } else {
            pendingIsOwn = false
            pending = options
        }
    }

    /// Forgets pending options. Nested sets are rare, so `pending` is usually `nil` already and is
    /// not rewritten (assigning `nil` destroys the old optional through an outlined call).
    @inline(__always)
    final func clearPending() {
        if pending != nil { pending = nil }
        pendingIsOwn = false
    }

    /// Backbone's `while (this._pending)` loop: one `change` per pass, with the latest pending options.
    @inline(__always)
    final func fireChangeLoop(_ own: SetOptions) {
        while true {
            if pending != nil {
                let options = pending.take().unsafelyUnwrapped
                if let targets = eventHub.changeTargets() { eventHub.run(targets, .change(self, options)) }
            } else if pendingIsOwn {
                pendingIsOwn = false
                if let targets = eventHub.changeTargets() { eventHub.run(targets, .change(self, own)) }
            } else {
                return
            }
        }
    }

    /// Writes `value` for `key` in place; records the old value on the first change. Returns
    /// whether the value differs from the current one (Backbone's `changes`).
    /// `hint` is where `key` probably is (the position of the member in a same-shaped input).
    @inline(__always)
    final func write(_ key: String, _ value: JSON, hint: Int = -1) -> Bool {
        if hint < 0, let outcome = writeInPlace(key, value) { return outcome }
        let outcome: Bool? = storage.withValue(forKey: key, hint: hint) { slot in
            if slot == value { return false }
            var old = value
            swap(&old, &slot)
            track(key, old: consume old, new: value)
            return true
        }
        if let outcome { return outcome }
        storage.updateValue(value, forKey: key)
        track(key, old: nil, new: value)
        return true
    }

    /// ``write(_:_:hint:)`` for a key stored with identical bits (the usual case), found by an
    /// inlined scan; `nil` when the general lookup is needed.
    @inline(__always)
    final func writeInPlace(_ key: String, _ value: JSON) -> Bool? {
        storage.withIdenticalValue(forKey: key) { slot in
            if JSON.scalarEquality(slot, value) ?? (slot.pointee == value) { return false }
            if liveRecords == 0 && reuseRecord(for: key, takingFrom: slot) {
                if Self.holdsNoReference(value) {
                    // A copy of a value without references is its bytes (spares the outlined copy).
                    withUnsafeBytes(of: value) { bytes in
                        UnsafeMutableRawPointer(slot).copyMemory(from: bytes.baseAddress.unsafelyUnwrapped, byteCount: MemoryLayout<JSON>.size)
                    }
                } else {
                    slot.initialize(to: value)
                }
            } else {
                var old = value
                swap(&old, &slot.pointee)
                track(key, old: consume old, new: value)
            }
            return true
        }
    }

    /// The first change of an outermost `set` when the spare first record already names `key`
    /// (the last `set` changed the same key): the replaced value moves from `slot` into the
    /// record, leaving `slot` uninitialized for the caller. An old previous value that holds no
    /// reference is written over without a destroy call. Returns `false` (nothing moved) otherwise.
    /// Out of line: that keeps the write closure of ``writeInPlace(_:_:)`` small enough to inline.
    @inline(never)
    final func reuseRecord(for key: String, takingFrom slot: UnsafeMutablePointer<JSON>) -> Bool {
        guard let record = records.first, JSONObject.identical(record.pointee.key, key) else { return false }
        withUnsafeMutablePointer(to: &record.pointee.previous) { previous in
            if Self.holdsNoReference(previous.pointee) {
                previous.initialize(to: slot.move())
            } else {
                previous.pointee = slot.move()
            }
        }
        record.pointee.isChanged = true
        liveRecords = 1
        return true
    }

    /// Whether `value` is absent, null, a boolean or a number: memory holding it can be written
    /// over without releasing anything.
    @inline(__always)
    static func holdsNoReference(_ value: borrowing JSON) -> Bool {
        switch value {
        case .null, .bool, .number: return true
        default: return false
        }
    }

    @inline(__always)
    static func holdsNoReference(_ value: borrowing JSON?) -> Bool {
        switch value {
        case .none, .some(.null), .some(.bool), .some(.number): return true
        default: return false
        }
    }

    /// Removes `key`; returns whether it was present (removing an absent key changes nothing).
    final func remove(_ key: String) -> Bool {
        guard let old = storage.removeValue(forKey: key) else { return false }
        track(key, old: old, new: nil)
        return true
    }

    /// Updates the change record of `key` after its value went from `old` to `new`.
    @inline(__always)
    final func track(_ key: String, old: consuming JSON?, new: JSON?) {
        if liveRecords == 0 {
            // First change of this outermost set: no lookup needed.
            appendRecord(ChangeRecord(key: key, previous: consume old, isChanged: true))
            return
        }
        var i = liveRecords - 1
        while i >= 0 {
            let record = records.pointer(at: i)
            if record.pointee.key == key {
                let isChanged = !Self.same(record.pointee.previous, new)
                if isChanged && !record.pointee.isChanged {
                    // Backbone deletes and re-adds the key in `changed`, moving it to the end.
                    var moved = records.remove(at: i)
                    moved.isChanged = true
                    records.insert(moved, at: liveRecords - 1)
                } else {
                    record.pointee.isChanged = isChanged
                }
                return
            }
            i -= 1
        }
        appendRecord(ChangeRecord(key: key, previous: old, isChanged: true))
    }

    @inline(__always)
    final func appendRecord(_ record: consuming ChangeRecord) {
        if liveRecords < records.count {
            records.pointer(at: liveRecords).pointee = record
        } else {
            records.append(record)
        }
        liveRecords += 1
    }

    /// Equality of optional JSON values (absent equals only absent) without copying them.
    static func same(_ a: JSON?, _ b: JSON?) -> Bool {
        if let a {
            if let b { return a == b }
            return false
        }
        return b == nil
    }

    /// Starts a new outermost `set`: forgets `changed` and the previous values. Slots are reused
    /// (a few stale ones are kept to avoid reallocating; larger leftovers are released).
    @inline(__always)
    final func resetRecords() {
        // `records` only grows by appending at `liveRecords`, so it holds more than 8 slots only
        // after a set that used more than 8; testing `liveRecords` spares reading the buffer.
        if liveRecords > 8 { records.truncate(to: 8) }
        liveRecords = 0
        previousIsEmpty = false
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

extension SyncModel {
    /// `set` of one attribute: the same algorithm as ``applySet(_:options:)`` without the key loop,
    /// so the hot path keeps no list of changed keys.
    ///
    /// The common call (outermost, not `unset`, no validation) runs a path with nothing else in it:
    /// the write, then one out-of-line call for all the events.
    final func applySingle(_ key: String, _ value: JSON, options: SetOptions) -> Bool {
        if options.validate || options.unset || isChanging { return applySingleInGeneral(key, value, options: options) }
        isChanging = true
        resetRecords()
        let changed = write(key, value)
        if changed { observationDidChange() }
        let isId = isIdAttribute(key)
        if isId && (changed || idIsAssigned) { refreshId(options) }
        if !options.silent { announce(key, value, options: options, changed: changed, reread: isId) }
        clearPending()
        isChanging = false
        return true
    }

    /// The events of an outermost `set` of one attribute: `change:<key>` if it changed, then the
    /// `change` loop. Unless `changeId` handlers ran (`reread`), the stored value is the one just
    /// written, and it goes into the event borrowed (no copy).
    @inline(never)
    final func announce(_ key: String, _ value: JSON, options: SetOptions, changed: Bool, reread: Bool) {
        if changed {
            markPending(options, outermost: true)
            if let targets = eventHub.attributeTargets(key) {
                if reread {
                    eventHub.run(targets, .changeAttribute(self, key: key, value: storage[key], options))
                } else {
                    eventHub.run(targets, .changeAttribute(self, key: key, value: value, options))
                }
            }
        }
        fireChangeLoop(options)
    }

    /// ``applySingle(_:_:options:)`` for nested, `unset` and validated calls.
    final func applySingleInGeneral(_ key: String, _ value: JSON, options: SetOptions) -> Bool {
        if options.validate && !passesValidation(CollectionOfOne((key: key, value: value)), options: options) {
            return false
        }
        let wasChanging = isChanging
        isChanging = true
        if !wasChanging { resetRecords() }
        let changed = options.unset ? remove(key) : write(key, value)
        if changed { observationDidChange() }
        let isId = isIdAttribute(key)
        if isId && (changed || idIsAssigned) { refreshId(options) }
        if !options.silent && changed {
            markPending(options, outermost: !wasChanging)
            if let targets = eventHub.attributeTargets(key) {
                eventHub.deliverAttributeChange(targets, model: self, key: key, value: storage[key], options: options)
            }
        }
        if wasChanging { return true }
        if !options.silent { fireChangeLoop(options) }
        clearPending()
        isChanging = false
        return true
    }
}
