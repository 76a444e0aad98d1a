// The in-place patch engine: walks into the document by moving each container's payload out of
// its enum case (so the container is uniquely referenced and mutating it never copies), performs
// one primitive edit, and records how to undo it.

/// Applies operations to a document in place, with an undo log that makes a whole patch atomic.
///
/// Every primitive edit validates before it mutates, so an operation that fails leaves the
/// document as it was; the undo log only has to revert the *earlier* operations of a patch (and
/// the first half of a `move`). A one-operation patch therefore logs nothing except inside `move`.
struct PatchApplier {
    struct Failure: Error {
        var reason: JSONPatchError.Reason
        var pointer: JSONPointer
    }

    /// How to revert one primitive edit. Paths are navigated again on rollback (rare) so the log
    /// holds no references into the document's storage.
    enum UndoStep {
        /// Nothing to undo: the edit is not logged (a one-operation patch), so no path is kept.
        case none
        case setRoot(JSON)
        case swapValue(path: JSONPointer, old: JSON)
        case removeAppendedMember(path: JSONPointer)
        case restoreMember(path: JSONPointer, slot: Int, hole: Bool, entry: JSONObject.Entry)
        case removeElement(path: JSONPointer, index: Int)
        case insertElement(path: JSONPointer, index: Int, value: JSON)
    }

    /// Whether edits are recorded (patches with more than one operation).
    var logging: Bool
    var undo: [UndoStep] = []

    init(logging: Bool) {
        self.logging = logging
    }

    @inline(__always)
    mutating func record(_ step: @autoclosure () -> UndoStep) {
        if logging { undo.append(step()) }
    }

    // MARK: Operations

    mutating func apply(_ operation: JSONPatchOperation, to document: inout JSON) throws(Failure) {
        switch operation {
        case .add(let path, let value):
            try add(value, at: path, in: &document)
        case .remove(let path):
            _ = try remove(at: path, in: &document, keepingSlot: logging)
        case .replace(let path, let value):
            try replace(at: path, with: value, in: &document)
        case .move(let from, let path):
            try move(from: from, to: path, in: &document)
        case .copy(let from, let path):
            let value = try Self.evaluate(from, in: document)
            try add(value, at: path, in: &document)
        case .test(let path, let expected):
            let actual = try Self.evaluate(path, in: document)
            guard actual == expected else {
                throw Failure(reason: .testFailed(expected: expected, actual: actual), pointer: path)
            }
        }
    }

    mutating func add(_ value: JSON, at path: JSONPointer, in document: inout JSON) throws(Failure) {
        if path.isRoot {
            let old = document
            document = value
            record(.setRoot(old))
            return
        }
        let step = try Self.perform(.add(value), at: path, depth: 0, in: &document, keepingSlot: logging)
        if logging { undo.append(step) }
    }

    /// Removes and returns the value at `path`. `keepingSlot` leaves a hole in indexed objects so the
    /// removal can be undone in place (see ``JSONObject/removeMember(atSlot:keepingSlot:)``).
    mutating func remove(at path: JSONPointer, in document: inout JSON, keepingSlot: Bool) throws(Failure) -> JSON {
        if path.isRoot { throw Failure(reason: .rootNotRemovable, pointer: path) }
        let step = try Self.perform(.remove, at: path, depth: 0, in: &document, keepingSlot: keepingSlot)
        if logging { undo.append(step) }
        switch step {
        case .restoreMember(_, _, _, let entry): return entry.value
        case .insertElement(_, _, let value): return value
        default: preconditionFailure("remove produced \(step)")
        }
    }

    mutating func replace(at path: JSONPointer, with value: JSON, in document: inout JSON) throws(Failure) {
        if path.isRoot {
            let old = document
            document = value
            record(.setRoot(old))
            return
        }
        let step = try Self.perform(.replace(value), at: path, depth: 0, in: &document, keepingSlot: logging)
        if logging { undo.append(step) }
    }

    mutating func move(from: JSONPointer, to path: JSONPointer, in document: inout JSON) throws(Failure) {
        if from == path {
            _ = try Self.evaluate(from, in: document)
            return
        }
        if from.isProperPrefix(of: path) { throw Failure(reason: .moveIntoOwnChild, pointer: path) }
        // The removal must be undoable even in a one-operation patch: the add can still fail
        // (e.g. `/a/5` after the array shrank), so log the two halves locally.
        let wasLogging = logging
        let mark = undo.count
        logging = true
        defer { logging = wasLogging }
        let value = try remove(at: from, in: &document, keepingSlot: true)
        do throws(Failure) {
            try add(value, at: path, in: &document)
        } catch {
            rollBack(to: mark, in: &document)
            throw error
        }
        if !wasLogging {
            compactHoles(from: mark, in: &document)
            undo.removeSubrange(mark...)
        }
    }

    // MARK: Rollback

    /// Reverts every logged edit after `mark`, newest first.
    mutating func rollBack(to mark: Int = 0, in document: inout JSON) {
        while undo.count > mark {
            switch undo.removeLast() {
            case .none:
                break
            case .setRoot(let old):
                document = old
            case .swapValue(let path, let old):
                Self.withExistingValue(at: path, end: path.tokens.count, in: &document) { $0 = old }
            case .removeAppendedMember(let path):
                Self.withExistingValue(at: path, end: path.tokens.count - 1, in: &document) {
                    Self.editObject(&$0) { $0.removeLastAppended() }
                }
            case .restoreMember(let path, let slot, let hole, let entry):
                Self.withExistingValue(at: path, end: path.tokens.count - 1, in: &document) {
                    Self.editObject(&$0) { $0.restore(entry, at: slot, intoHole: hole) }
                }
            case .removeElement(let path, let index):
                Self.withExistingValue(at: path, end: path.tokens.count - 1, in: &document) {
                    Self.editArray(&$0) { _ = $0.remove(at: index) }
                }
            case .insertElement(let path, let index, let value):
                Self.withExistingValue(at: path, end: path.tokens.count - 1, in: &document) {
                    Self.editArray(&$0) { $0.insert(value, at: index) }
                }
            }
        }
    }

    /// After a successful patch: compacts the objects where logged removals left holes, so holes
    /// never accumulate beyond JSONObject's own sparsity rule.
    mutating func compactHoles(from mark: Int = 0, in document: inout JSON) {
        for step in undo[mark...] {
            guard case .restoreMember(let path, _, true, _) = step else { continue }
            Self.withExistingValue(at: path, end: path.tokens.count - 1, in: &document, tolerant: true) {
                if case .object = $0 { Self.editObject(&$0) { $0.compactIfSparse() } }
            }
        }
    }

    // MARK: Navigation and primitive edits

    /// A primitive edit, performed on the container that holds the last token of the path.
    enum Edit {
        case add(JSON)
        case remove
        case replace(JSON)
    }

    /// Walks to the parent of `path` (tokens from `depth` on) and performs `edit` there, in place.
    /// `keepingSlot` is `true` exactly when the step will be logged; otherwise only a removal's
    /// step is complete (it carries the removed value) and the others are ``UndoStep/none``.
    ///
    /// Each container on the way is moved out of its enum case while the edit runs (see
    /// ``takeObject(_:)``), so nothing is copied. Everything is validated before the one mutation,
    /// so a thrown `Failure` means the document is untouched. Returns how to undo the edit (the
    /// removed or replaced value travels in it). Deliberately non-generic and closure-free: this is
    /// the hot path of a live patch stream.
    static func perform(
        _ edit: Edit, at path: JSONPointer, depth: Int, in value: inout JSON, keepingSlot: Bool
    ) throws(Failure) -> UndoStep {
        let token = path.tokens[depth]
        let isParent = depth == path.tokens.count - 1
        if var object = takeObject(&value) {
            defer { value = .object(object) }
            if isParent, case .add(let new) = edit {
                // Canonical lookup on write: JSONObject cannot hold two canonically equal keys.
                if let slot = object.slot(of: token) {
                    var old = new
                    swap(&old, &object.slots[slot]!.value)
                    return keepingSlot ? .swapValue(path: path, old: old) : .none
                }
                object.append(key: token, value: new)
                return keepingSlot ? .removeAppendedMember(path: path) : .none
            }
            guard let slot = object.exactSlot(of: token) else {
                throw Failure(reason: .pathNotFound, pointer: path.prefix(depth + 1))
            }
            guard isParent else {
                return try perform(edit, at: path, depth: depth + 1, in: &object.slots[slot]!.value, keepingSlot: keepingSlot)
            }
            switch edit {
            case .replace(let new):
                var old = new
                swap(&old, &object.slots[slot]!.value)
                return keepingSlot ? .swapValue(path: path, old: old) : .none
            case .remove:
                let (entry, hole) = object.removeMember(atSlot: slot, keepingSlot: keepingSlot)
                return .restoreMember(path: path, slot: slot, hole: hole, entry: entry)
            case .add:
                preconditionFailure("unreachable")
            }
        }
        if var array = takeArray(&value) {
            defer { value = .array(array) }
            let index: Int
            switch ArrayIndexToken(token) {
            case .index(let i) where i < array.count: index = i
            case .index(let i) where isParent && i == array.count: index = i
            case .pastTheEnd where isParent: index = array.count
            case .index: throw Failure(reason: .indexOutOfBounds(count: array.count), pointer: path.prefix(depth + 1))
            case .invalid, .pastTheEnd: throw Failure(reason: .invalidIndex, pointer: path.prefix(depth + 1))
            }
            if case .add(let new) = edit, isParent {
                array.insert(new, at: index)
                return keepingSlot ? .removeElement(path: path, index: index) : .none
            }
            // Past this point the element must exist (`-` and `count` are only for add).
            guard index < array.count else {
                let reason: JSONPatchError.Reason =
                    ArrayIndexToken(token) == .pastTheEnd ? .invalidIndex : .indexOutOfBounds(count: array.count)
                throw Failure(reason: reason, pointer: path.prefix(depth + 1))
            }
            guard isParent else {
                return try perform(edit, at: path, depth: depth + 1, in: &array[index], keepingSlot: keepingSlot)
            }
            switch edit {
            case .replace(let new):
                var old = new
                swap(&old, &array[index])
                return keepingSlot ? .swapValue(path: path, old: old) : .none
            case .remove:
                let removed = array.remove(at: index)
                return .insertElement(path: path, index: index, value: removed)
            case .add:
                preconditionFailure("unreachable")
            }
        }
        throw Failure(reason: .parentNotContainer(type: value.typeName), pointer: path.prefix(depth + 1))
    }

    /// Navigation for rollback: the path existed when the edit was logged, so it exists again once
    /// the later edits are undone. Lookup is canonical (the key as JSONObject stores it).
    static func withExistingValue(
        at path: JSONPointer, end: Int, in value: inout JSON, tolerant: Bool = false, _ body: (inout JSON) -> Void
    ) {
        var depth = 0
        func descend(_ value: inout JSON) {
            if depth == end { return body(&value) }
            let token = path.tokens[depth]
            depth += 1
            if var object = takeObject(&value) {
                defer { value = .object(object) }
                guard let slot = object.slot(of: token) else { return missing() }
                descend(&object.slots[slot]!.value)
            } else if var array = takeArray(&value) {
                defer { value = .array(array) }
                guard case .index(let i) = ArrayIndexToken(token), i < array.count else { return missing() }
                descend(&array[i])
            } else {
                missing()
            }
        }
        func missing() {
            precondition(tolerant, "JSON Patch rollback: \(path) vanished (engine bug)")
        }
        descend(&value)
    }

    static func editObject(_ value: inout JSON, _ body: (inout JSONObject) -> Void) {
        guard var object = takeObject(&value) else { preconditionFailure("JSON Patch rollback: not an object") }
        body(&object)
        value = .object(object)
    }

    static func editArray(_ value: inout JSON, _ body: (inout [JSON]) -> Void) {
        guard var array = takeArray(&value) else { preconditionFailure("JSON Patch rollback: not an array") }
        body(&array)
        value = .array(array)
    }

    /// Reads the value at `path` (for `test`, `copy`, and `move`'s no-op case).
    static func evaluate(_ path: JSONPointer, in document: JSON) throws(Failure) -> JSON {
        do throws(JSONPointerError) {
            return try path.evaluate(in: document)
        } catch {
            switch error {
            case .memberNotFound(let p): throw Failure(reason: .pathNotFound, pointer: p)
            case .invalidArrayIndex(let p), .pastTheEnd(let p): throw Failure(reason: .invalidIndex, pointer: p)
            case .indexOutOfBounds(let p, let count): throw Failure(reason: .indexOutOfBounds(count: count), pointer: p)
            case .notAContainer(let p, let type): throw Failure(reason: .parentNotContainer(type: type), pointer: p)
            default: throw Failure(reason: .pathNotFound, pointer: path)
            }
        }
    }
}

/// Moves the object payload out of `value`, leaving `.null`, so the caller holds its only reference
/// (put it back with `value = .object(object)`); `nil` if `value` is not an object.
///
/// Not a `switch value { case .object(var o): ... }`: a switch keeps its subject alive for the
/// whole case body, so the payload would be referenced twice and the first mutation would copy it
/// (for a 10,000-member document, a full copy per operation). The `guard case` binding followed by
/// `value = .null` drops the subject's reference before anything is mutated.
@inline(__always)
func takeObject(_ value: inout JSON) -> JSONObject? {
    guard case .object(let object) = value else { return nil }
    value = .null
    return object
}

/// Moves the array payload out of `value`, leaving `.null`; see ``takeObject(_:)``.
@inline(__always)
func takeArray(_ value: inout JSON) -> [JSON]? {
    guard case .array(let array) = value else { return nil }
    value = .null
    return array
}
