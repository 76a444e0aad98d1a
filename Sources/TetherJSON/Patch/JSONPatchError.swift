/// Why a JSON Patch could not be decoded or applied, and where.
///
/// Patches are atomic, so when this error is thrown the document is exactly as it was before;
/// the error says which operation (``index``) stopped it and why (``reason``).
public struct JSONPatchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 0-based position of the failing operation in the patch (0 when the patch itself is not an array).
    public var index: Int
    /// The failing operation, or `nil` when it could not be decoded.
    public var operation: JSONPatchOperation?
    /// The location where the failure was found (a prefix of the operation's path when a parent is
    /// missing), or `nil` for decoding errors.
    public var pointer: JSONPointer?
    /// What went wrong.
    public var reason: Reason

    public init(index: Int, operation: JSONPatchOperation?, pointer: JSONPointer?, reason: Reason) {
        self.index = index
        self.operation = operation
        self.pointer = pointer
        self.reason = reason
    }

    /// Why an operation failed.
    public enum Reason: Error, Sendable, Hashable, CustomStringConvertible {
        // MARK: Decoding

        /// The patch document is not an array of operations.
        case notAnArray(type: String)
        /// An operation is not a JSON object.
        case notAnObject(type: String)
        /// A required member (`op`, `path`, `from`, `value`) is absent.
        case missingMember(String)
        /// A member has the wrong JSON type (`path: null`, `op: 1`).
        case wrongType(member: String, expected: String, actual: String)
        /// `op` is not one of the six RFC 6902 operations.
        case unknownOperation(String)
        /// `path` or `from` is not a syntactically valid JSON Pointer.
        case invalidPointer(member: String, JSONPointerError)

        // MARK: Applying

        /// No value at ``JSONPatchError/pointer`` (a missing member, or a missing intermediate).
        case pathNotFound
        /// The token is not an array index here (leading zero, not digits, or `-` where only `add` allows it).
        case invalidIndex
        /// The array index is beyond the array (`count` elements).
        case indexOutOfBounds(count: Int)
        /// The pointer descends into a scalar of this JSON type.
        case parentNotContainer(type: String)
        /// `move` into a location inside the value being moved.
        case moveIntoOwnChild
        /// `remove` of the whole document (a document cannot be absent).
        case rootNotRemovable
        /// `test` found `actual` where it expected `expected`.
        case testFailed(expected: JSON, actual: JSON)

        public var description: String {
            switch self {
            case .notAnArray(let type): return "a patch must be an array of operations, not a \(type)"
            case .notAnObject(let type): return "an operation must be an object, not a \(type)"
            case .missingMember(let member): return "missing '\(member)' member"
            case .wrongType(let member, let expected, let actual):
                return "'\(member)' must be a \(expected), not a \(actual)"
            case .unknownOperation(let op): return "unknown operation \(quoted(op))"
            case .invalidPointer(let member, let error): return "'\(member)': \(error)"
            case .pathNotFound: return "path not found"
            case .invalidIndex: return "not a valid array index"
            case .indexOutOfBounds(let count): return "array index out of bounds (array has \(count) elements)"
            case .parentNotContainer(let type): return "cannot descend into a \(type)"
            case .moveIntoOwnChild: return "cannot move a value into one of its own children"
            case .rootNotRemovable: return "cannot remove the whole document"
            case .testFailed(let expected, let actual):
                return "test failed: expected \(abbreviated(expected)), found \(abbreviated(actual))"
            }
        }
    }

    /// One line: `operation 3 (remove "/a/b"): path not found at "/a"`.
    public var description: String {
        var text = "operation \(index)"
        if let operation { text += " (\(operation))" }
        text += ": \(reason)"
        if let pointer, pointer != operation?.path || operation == nil { text += " at \(quoted(pointer.description))" }
        return text
    }
}

/// Compact JSON cut to a readable length for one-line messages.
private func abbreviated(_ value: JSON) -> String {
    let text = value.serialized()
    return text.count <= 80 ? text : String(text.prefix(77)) + "..."
}
