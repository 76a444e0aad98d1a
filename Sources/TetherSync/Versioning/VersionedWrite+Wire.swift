/// The wire form of a versioned write: an RFC 6902 op object with an extra `"stamp"` member, e.g.
/// `{"op":"add","path":"/m1/title","value":"x","stamp":"001732645000000-000003-alice"}`.
extension VersionedWrite {
    /// Decodes a versioned op.
    ///
    /// `add` and `replace` both decode to `set` (in versioned state they mean the same), `remove`
    /// to `remove`. Unknown members are ignored, as RFC 6902 requires.
    /// - Throws: ``VersionedWriteError`` naming the first problem found.
    public init(wireOperation op: JSON) throws(VersionedWriteError) {
        guard case .object(let object) = op else { throw .notAnObject }
        guard let name = object["op"]?.stringValue else { throw .missingMember("op") }
        guard let pointer = object["path"]?.stringValue else { throw .missingMember("path") }
        let path: [String]
        do { path = try JSONPointer(pointer).tokens } catch { throw .invalidPointer(pointer) }
        guard let stampText = object["stamp"]?.stringValue else { throw .missingMember("stamp") }
        let stamp: VersionStamp
        do { stamp = try VersionStamp(parsing: stampText) } catch { throw .invalidStamp(error) }
        switch name {
        case "add", "replace":
            guard let value = object["value"] else { throw .missingMember("value") }
            try self.init(path: path, operation: .set(value), stamp: stamp)
        case "remove":
            try self.init(path: path, operation: .remove, stamp: stamp)
        default:
            throw .unsupportedOperation(name)
        }
    }

    /// Encodes the write as a versioned op: `set` as `add` (valid whether or not the member exists),
    /// `remove` as `remove`.
    public var wireOperation: JSON {
        var object = JSONObject(minimumCapacity: 4)
        switch operation {
        case .set(let value):
            object["op"] = "add"
            object["path"] = .string(pointer.description)
            object["value"] = value
        case .remove:
            object["op"] = "remove"
            object["path"] = .string(pointer.description)
        }
        object["stamp"] = .string(stamp.wireString)
        return .object(object)
    }

    /// Decodes every op of a versioned frame, all or nothing.
    ///
    /// - Throws: the first op's error, with its index.
    public static func decodeAll(_ ops: [JSON]) throws(VersionedOpsError) -> [VersionedWrite] {
        var writes: [VersionedWrite] = []
        writes.reserveCapacity(ops.count)
        for (index, op) in ops.enumerated() {
            do { writes.append(try VersionedWrite(wireOperation: op)) } catch {
                throw VersionedOpsError(index: index, error: error)
            }
        }
        return writes
    }
}

/// A versioned op of a frame that could not be decoded, and where it is.
public struct VersionedOpsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Position of the op in the frame's `ops` array.
    public let index: Int
    public let error: VersionedWriteError

    public init(index: Int, error: VersionedWriteError) {
        self.index = index
        self.error = error
    }

    public var description: String { "op \(index): \(error)" }
}
