/// Why a versioned write, or its wire form, was refused.
public enum VersionedWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Writes address a model (`/{id}`) or something inside one; the collection itself is replaced
    /// by a snapshot, never by a versioned write.
    case emptyPath
    /// ``VersionStamp/zero`` is reserved for nodes no write created.
    case zeroStamp
    /// The op is not a JSON object.
    case notAnObject
    /// A required member (`op`, `path`, `value`, `stamp`) is missing or has the wrong type.
    case missingMember(String)
    /// `op` is not add, replace or remove (move, copy and test are normalized away at the origin).
    case unsupportedOperation(String)
    /// `path` is not a valid JSON Pointer.
    case invalidPointer(String)
    /// `stamp` is not a valid version stamp.
    case invalidStamp(VersionStampError)

    public var description: String {
        switch self {
        case .emptyPath: return "a versioned write must address a model or a path inside one, not the collection root"
        case .zeroStamp: return "a versioned write cannot carry the zero stamp"
        case .notAnObject: return "a versioned op must be a JSON object"
        case .missingMember(let name): return "versioned op is missing a valid \"\(name)\" member"
        case .unsupportedOperation(let op): return "versioned op \"\(op)\" is not add, replace or remove"
        case .invalidPointer(let pointer): return "invalid JSON Pointer \"\(pointer)\""
        case .invalidStamp(let error): return error.description
        }
    }
}
