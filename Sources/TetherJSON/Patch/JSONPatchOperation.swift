/// One RFC 6902 operation, with its pointers already parsed.
///
/// Parsing pointers once, when the operation is decoded, is what lets a live patch stream apply
/// without touching text again.
public enum JSONPatchOperation: Sendable, Hashable {
    /// Inserts `value` at `path` (an object member is created or replaced; an array element is
    /// inserted, `-` appends).
    case add(path: JSONPointer, value: JSON)
    /// Removes the value at `path`, which must exist.
    case remove(path: JSONPointer)
    /// Replaces the value at `path`, which must exist.
    case replace(path: JSONPointer, value: JSON)
    /// Removes the value at `from` and adds it at `path`; `path` must not be inside `from`.
    case move(from: JSONPointer, path: JSONPointer)
    /// Adds a copy of the value at `from` at `path`.
    case copy(from: JSONPointer, path: JSONPointer)
    /// Succeeds only if the value at `path` equals `value` (numbers by value, objects unordered).
    case test(path: JSONPointer, value: JSON)

    /// The operation's name as written in the `"op"` member.
    public var name: String {
        switch self {
        case .add: return "add"
        case .remove: return "remove"
        case .replace: return "replace"
        case .move: return "move"
        case .copy: return "copy"
        case .test: return "test"
        }
    }

    /// The `"path"` member: the location the operation acts on.
    public var path: JSONPointer {
        switch self {
        case .add(let path, _), .remove(let path), .replace(let path, _), .move(_, let path),
            .copy(_, let path), .test(let path, _):
            return path
        }
    }

    /// The `"from"` member of `move` and `copy`.
    public var from: JSONPointer? {
        switch self {
        case .move(let from, _), .copy(let from, _): return from
        default: return nil
        }
    }

    /// The `"value"` member of `add`, `replace` and `test`.
    public var value: JSON? {
        switch self {
        case .add(_, let value), .replace(_, let value), .test(_, let value): return value
        default: return nil
        }
    }
}

extension JSONPatchOperation {
    /// Decodes one operation object (`{"op": "add", "path": "/a", "value": 1}`).
    ///
    /// Members other than `op`, `path`, `from` and `value` are ignored, as RFC 6902 section 4 says.
    /// A `value` of `null` is a value; a missing `value` is an error.
    public init(_ json: JSON) throws(JSONPatchError.Reason) {
        guard case .object(let object) = json else { throw .notAnObject(type: json.typeName) }
        let name = try Self.string("op", in: object)
        let path = try Self.pointer("path", in: object)
        switch name {
        case "add": self = .add(path: path, value: try Self.value(in: object))
        case "remove": self = .remove(path: path)
        case "replace": self = .replace(path: path, value: try Self.value(in: object))
        case "move": self = .move(from: try Self.pointer("from", in: object), path: path)
        case "copy": self = .copy(from: try Self.pointer("from", in: object), path: path)
        case "test": self = .test(path: path, value: try Self.value(in: object))
        default: throw .unknownOperation(name)
        }
    }

    /// The operation as RFC 6902 JSON (`op`, `path`, then `from` or `value`).
    public func toJSON() -> JSON {
        var object = JSONObject(minimumCapacity: 3)
        object["op"] = .string(name)
        if let from { object["from"] = .string(from.description) }
        object["path"] = .string(path.description)
        if let value { object["value"] = value }
        return .object(object)
    }

    private static func string(_ member: String, in object: JSONObject) throws(JSONPatchError.Reason) -> String {
        guard let value = object[member] else { throw .missingMember(member) }
        guard case .string(let string) = value else {
            throw .wrongType(member: member, expected: "string", actual: value.typeName)
        }
        return string
    }

    private static func pointer(_ member: String, in object: JSONObject) throws(JSONPatchError.Reason) -> JSONPointer {
        let text = try string(member, in: object)
        do throws(JSONPointerError) {
            return try JSONPointer(text)
        } catch {
            throw .invalidPointer(member: member, error)
        }
    }

    private static func value(in object: JSONObject) throws(JSONPatchError.Reason) -> JSON {
        guard let value = object["value"] else { throw .missingMember("value") }
        return value
    }
}

extension JSONPatchOperation: CustomStringConvertible {
    /// A short form for messages: `replace /a/b`, `move /a -> /b`.
    public var description: String {
        if let from { return "\(name) \(quoted(from.description)) -> \(quoted(path.description))" }
        return "\(name) \(quoted(path.description))"
    }
}
