/// Why bytes or a JSON value are not a valid protocol-v1 frame.
///
/// Every case names the frame type and member involved, so an `error` event tells an operator exactly
/// what the peer got wrong.
public enum WireFrameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not JSON.
    case invalidJSON(JSONParseError)
    /// The frame exceeds the size limit (bytes).
    case tooLarge(size: Int, limit: Int)
    /// The frame is valid JSON but not an object.
    case notAnObject(found: String)
    /// The object has no string `"type"` member.
    case missingType
    /// The `"type"` is not one protocol v1 defines.
    case unknownType(String)
    /// A required member is absent (or `null`).
    case missingMember(frame: String, member: String)
    /// A member has the wrong JSON type.
    case wrongType(frame: String, member: String, expected: String, found: String)
    /// A member has the right type but an invalid value (negative seq, mixed stamps, bad op, ...).
    case invalidValue(frame: String, member: String, reason: String)

    public var description: String {
        switch self {
        case .invalidJSON(let error): return "frame is not valid JSON: \(error)"
        case .tooLarge(let size, let limit): return "frame of \(size) bytes exceeds the \(limit)-byte limit"
        case .notAnObject(let found): return "frame is a JSON \(found), not an object"
        case .missingType: return "frame has no string member \"type\""
        case .unknownType(let type): return "unknown frame type \"\(type)\""
        case .missingMember(let frame, let member): return "\(frame) frame lacks required member \"\(member)\""
        case .wrongType(let frame, let member, let expected, let found):
            return "\(frame) frame member \"\(member)\" is a \(found), expected \(expected)"
        case .invalidValue(let frame, let member, let reason):
            return "\(frame) frame member \"\(member)\" is invalid: \(reason)"
        }
    }
}
