/// Why a local JSON Patch could not be normalized into versioned writes. Nothing was written.
public enum VersionedPatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The patch does not apply to the current state: the same error a plain RFC 6902 apply gives
    /// (including a failed `test`), with the op's index.
    case patch(JSONPatchError)
    /// An op would make the collection root something other than an object keyed by model id.
    case rootNotObject(index: Int, type: String)
    /// The stamp source returned a stamp no write can carry (``VersionStamp/zero``).
    case invalidStamp(VersionedWriteError)

    public var description: String {
        switch self {
        case .patch(let error): return error.description
        case let .rootNotObject(index, type): return "op \(index): the collection must stay an object keyed by model id, not a \(type)"
        case .invalidStamp(let error): return error.description
        }
    }
}
