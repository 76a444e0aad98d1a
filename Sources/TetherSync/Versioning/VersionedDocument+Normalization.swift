/// Turning a local RFC 6902 patch into the versioned writes that are sent and merged.
///
/// The writes are computed against the current state, at the origin, because only there is the
/// meaning of an array index or a `move` unambiguous:
/// - add/replace of an object member → `set`; remove of an object member → `remove`;
/// - any op that touches inside an array → `set` of the whole resulting array (arrays are atomic);
/// - move → `remove(from)` + `set(path)`; copy → `set(path)`;
/// - test → checked here and never sent;
/// - add/replace of the whole collection → `remove` of each model that disappears + `set` of each model.
/// Writes that a later write of the same patch overwrites (same path, or a path below it) are
/// dropped, so a patch costs at most one write per touched location.
extension VersionedDocument {
    /// Normalizes `patch` against ``state`` without changing the document.
    ///
    /// - Parameter stamps: called once per write, in order (e.g. `{ clock.now() }`), so later ops
    ///   of the patch win over earlier ones.
    /// - Returns: the writes to apply locally and send, in stamp order.
    /// - Throws: ``VersionedPatchError``; the patch is all or nothing, as in RFC 6902.
    public func normalize(_ patch: JSONPatch, stamps: () -> VersionStamp) throws(VersionedPatchError) -> [VersionedWrite] {
        var scratch = NormalizationScratch(base: state)
        var writes: [VersionedWrite] = []
        func emit(_ path: [String], _ operation: VersionedWrite.Operation) throws(VersionedPatchError) {
            do { writes.append(try VersionedWrite(path: path, operation: operation, stamp: stamps())) } catch {
                throw .invalidStamp(error)
            }
        }
        for (index, operation) in patch.operations.enumerated() {
            var produced: [([String], VersionedWrite.Operation)] = []
            do throws(NormalizationScratch.Failure) {
                switch operation {
                case .test(let path, let expected):
                    let actual = try scratch.value(at: path.tokens)
                    guard actual == expected else { throw .init(.testFailed(expected: expected, actual: actual), path) }
                case .add(let path, let value):
                    produced = try scratch.write(value, at: path.tokens, mustExist: false)
                case .replace(let path, let value):
                    produced = try scratch.write(value, at: path.tokens, mustExist: true)
                case .remove(let path):
                    produced = [try scratch.remove(at: path.tokens)]
                case .move(let from, let path):
                    if from == path {
                        _ = try scratch.value(at: from.tokens)
                    } else {
                        if from.isProperPrefix(of: path) { throw .init(.moveIntoOwnChild, path) }
                        let value = try scratch.value(at: from.tokens)
                        produced = [try scratch.remove(at: from.tokens)]
                        produced += try scratch.write(value, at: path.tokens, mustExist: false)
                    }
                case .copy(let from, let path):
                    let value = try scratch.value(at: from.tokens)
                    produced = try scratch.write(value, at: path.tokens, mustExist: false)
                }
            } catch {
                if let rootType = error.rootType { throw .rootNotObject(index: index, type: rootType) }
                throw .patch(JSONPatchError(index: index, operation: operation, pointer: error.pointer, reason: error.reason))
            }
            for (path, op) in produced { try emit(path, op) }
        }
        return Self.droppingOverwritten(writes)
    }

    /// Keeps only writes that no later write in the list replaces (same path or an ancestor path).
    static func droppingOverwritten(_ writes: [VersionedWrite]) -> [VersionedWrite] {
        guard writes.count > 1 else { return writes }
        var laterPaths = Set<ArraySlice<String>>()
        var kept: [VersionedWrite] = []
        for write in writes.reversed() {
            let path = write.path[...]
            let overwritten = (1...path.count).contains { laterPaths.contains(path.prefix($0)) }
            if !overwritten { kept.append(write) }
            laterPaths.insert(path)
        }
        return kept.reversed()
    }
}

/// The state as a patch sees it op by op: the document's models overlaid with the models earlier
/// ops changed, so normalizing never copies the whole collection.
struct NormalizationScratch {
    struct Failure: Error {
        var reason: JSONPatchError.Reason
        var pointer: JSONPointer?
        /// Set when an op tried to make the root a non-object.
        var rootType: String?
        init(_ reason: JSONPatchError.Reason, _ pointer: JSONPointer?, rootType: String? = nil) {
            self.reason = reason
            self.pointer = pointer
            self.rootType = rootType
        }
    }

    let base: JSON
    /// Models changed by earlier ops (`nil`: removed).
    var overlay: [String: JSON?] = [:]

    init(base: JSON) { self.base = base }

    func model(_ id: String) -> JSON? {
        if let index = overlay.index(forKey: id) { return overlay.values[index] }
        return base[id]
    }

    /// The whole collection as it stands (only for ops on the root, which are rare).
    var document: JSON {
        var object = base.objectValue ?? JSONObject()
        for (id, value) in overlay { object[id] = value }
        return .object(object)
    }

    func value(at tokens: [String]) throws(Failure) -> JSON {
        guard let id = tokens.first else { return document }
        guard let model = model(id) else { throw Failure(.pathNotFound, JSONPointer(tokens: [id])) }
        do { return try JSONPointer(tokens: Array(tokens.dropFirst())).evaluate(in: model) } catch {
            throw Failure(.pathNotFound, JSONPointer(tokens: tokens))
        }
    }

    /// add (`mustExist == false`) or replace at `tokens`; returns the writes that express it.
    mutating func write(_ value: JSON, at tokens: [String], mustExist: Bool) throws(Failure) -> [([String], VersionedWrite.Operation)] {
        guard let id = tokens.first else { return try replaceRoot(with: value) }
        if tokens.count == 1 {
            if mustExist, model(id) == nil { throw Failure(.pathNotFound, JSONPointer(tokens: tokens)) }
            overlay[id] = .some(value)
            return [([id], .set(value))]
        }
        let rest = Array(tokens.dropFirst())
        let operation: JSONPatchOperation = mustExist
            ? .replace(path: JSONPointer(tokens: rest), value: value)
            : .add(path: JSONPointer(tokens: rest), value: value)
        return [try edit(id, rest: rest, with: operation, write: .set(value))]
    }

    mutating func remove(at tokens: [String]) throws(Failure) -> ([String], VersionedWrite.Operation) {
        guard let id = tokens.first else { throw Failure(.rootNotRemovable, .root) }
        if tokens.count == 1 {
            guard model(id) != nil else { throw Failure(.pathNotFound, JSONPointer(tokens: tokens)) }
            overlay[id] = .some(nil)
            return ([id], .remove)
        }
        let rest = Array(tokens.dropFirst())
        return try edit(id, rest: rest, with: .remove(path: JSONPointer(tokens: rest)), write: .remove)
    }

    /// Applies `operation` (model-relative) to model `id` with the RFC 6902 engine; the write is
    /// `write` at the full path, or a whole-array `set` when the path goes through an array.
    private mutating func edit(_ id: String, rest: [String], with operation: JSONPatchOperation, write: VersionedWrite.Operation) throws(Failure) -> ([String], VersionedWrite.Operation) {
        guard var model = model(id) else { throw Failure(.pathNotFound, JSONPointer(tokens: [id])) }
        do { try JSONPatch(operations: [operation]).apply(to: &model) } catch {
            throw Failure(error.reason, error.pointer.map { JSONPointer(tokens: [id] + $0.tokens) })
        }
        overlay[id] = .some(model)
        // The first array among the containers above the target makes the write a whole-array set.
        var container = model
        for depth in 0..<rest.count {
            if case .array = container {
                return ([id] + rest[0..<depth], .set(container))
            }
            guard depth + 1 < rest.count, let next = container[rest[depth]] else { break }
            container = next
        }
        return ([id] + rest, write)
    }

    /// add/replace of the whole collection: every model that disappears is removed, every model of
    /// the new value is set.
    private mutating func replaceRoot(with value: JSON) throws(Failure) -> [([String], VersionedWrite.Operation)] {
        guard case .object(let models) = value else {
            throw Failure(.pathNotFound, .root, rootType: value.typeName)
        }
        var writes: [([String], VersionedWrite.Operation)] = []
        for (id, _) in document.objectValue ?? JSONObject() where models[id] == nil {
            writes.append(([id], .remove))
            overlay[id] = .some(nil)
        }
        for (id, model) in models {
            writes.append(([id], .set(model)))
            overlay[id] = .some(model)
        }
        return writes
    }
}
