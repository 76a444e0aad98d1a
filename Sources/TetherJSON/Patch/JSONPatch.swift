/// An RFC 6902 JSON Patch: a list of operations applied atomically and in place.
///
/// ```swift
/// let patch = try JSONPatch(JSON(parsing: #"[{"op":"replace","path":"/title","value":"Done"}]"#))
/// try patch.apply(to: &todo)   // all operations, or none
/// ```
///
/// Atomic: if operation *k* fails, the document is exactly as before (same values, same member
/// order) and the ``JSONPatchError`` names *k*, the operation, the pointer and the reason.
/// In place: the engine mutates through the document's own storage and never triggers a
/// copy-on-write of a uniquely referenced document; atomicity comes from an undo log of the
/// operations already applied (old values, removed members and their slots), not from a copy.
public struct JSONPatch: Sendable, Hashable {
    /// The operations, applied in order.
    public var operations: [JSONPatchOperation]

    public init(operations: [JSONPatchOperation]) {
        self.operations = operations
    }

    /// Decodes a patch document: a JSON array of operation objects.
    ///
    /// - Throws: a ``JSONPatchError`` naming the first malformed operation (missing member, wrong
    ///   type, unknown `op`, invalid pointer).
    public init(_ json: JSON) throws(JSONPatchError) {
        guard case .array(let elements) = json else {
            throw JSONPatchError(index: 0, operation: nil, pointer: nil, reason: .notAnArray(type: json.typeName))
        }
        var operations: [JSONPatchOperation] = []
        operations.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do throws(JSONPatchError.Reason) {
                operations.append(try JSONPatchOperation(element))
            } catch {
                throw JSONPatchError(index: index, operation: nil, pointer: nil, reason: error)
            }
        }
        self.operations = operations
    }

    /// The patch as a JSON array of operation objects.
    public func toJSON() -> JSON {
        .array(operations.map { $0.toJSON() })
    }

    /// Applies every operation to `document` in place, or none of them.
    ///
    /// - Throws: ``JSONPatchError`` for the first operation that fails; `document` is then unchanged.
    public func apply(to document: inout JSON) throws(JSONPatchError) {
        var applier = PatchApplier(logging: operations.count > 1)
        // Operations are read in place through the buffer (no copy of each operation's payload).
        let failure = operations.withUnsafeBufferPointer { operations -> JSONPatchError? in
            for index in operations.indices {
                do throws(PatchApplier.Failure) {
                    try applier.apply(operations[index], to: &document)
                } catch {
                    applier.rollBack(in: &document)
                    return JSONPatchError(index: index, operation: operations[index], pointer: error.pointer, reason: error.reason)
                }
            }
            return nil
        }
        if let failure { throw failure }
        if applier.logging { applier.compactHoles(in: &document) }
    }

    /// The patched copy of `document` (the original is left alone).
    public func applied(to document: JSON) throws(JSONPatchError) -> JSON {
        var copy = document
        try apply(to: &copy)
        return copy
    }
}

extension JSONPatch: CustomStringConvertible {
    /// The patch as compact JSON.
    public var description: String { toJSON().serialized() }
}
