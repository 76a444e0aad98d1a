/// One stamped write to a versioned collection: set a value at a path, or remove it.
///
/// Paths are decoded JSON Pointer tokens: the first is the model id, the rest address attributes
/// and nested object members. Every token is an object key (arrays are atomic values in versioned
/// state), so `"0"` and `"-"` are ordinary member names here.
public struct VersionedWrite: Sendable, Hashable, CustomStringConvertible {
    /// What the write does at its path.
    public enum Operation: Sendable, Hashable {
        /// Replace whatever is at the path; an object value merges per key with newer writes below.
        case set(JSON)
        /// Remove the path, leaving a tombstone that shadows older writes at and below it.
        case remove
    }

    /// Decoded pointer tokens, never empty.
    public let path: [String]
    public let operation: Operation
    public let stamp: VersionStamp

    /// - Throws: ``VersionedWriteError/emptyPath`` for the collection root,
    ///   ``VersionedWriteError/zeroStamp`` for ``VersionStamp/zero``.
    public init(path: [String], operation: Operation, stamp: VersionStamp) throws(VersionedWriteError) {
        guard !path.isEmpty else { throw .emptyPath }
        guard !stamp.isZero else { throw .zeroStamp }
        self.path = path
        self.operation = operation
        self.stamp = stamp
    }

    /// `set(path, value, stamp)`.
    public static func set(_ path: [String], _ value: JSON, stamp: VersionStamp) throws(VersionedWriteError) -> VersionedWrite {
        try VersionedWrite(path: path, operation: .set(value), stamp: stamp)
    }

    /// `remove(path, stamp)`.
    public static func remove(_ path: [String], stamp: VersionStamp) throws(VersionedWriteError) -> VersionedWrite {
        try VersionedWrite(path: path, operation: .remove, stamp: stamp)
    }

    /// The model id (first path token).
    public var modelID: String { path[0] }

    /// The path as a JSON Pointer.
    public var pointer: JSONPointer { JSONPointer(tokens: path) }

    public var description: String {
        switch operation {
        case .set(let value): return "set \(pointer) = \(value.serialized(options: [.sortedKeys])) @\(stamp)"
        case .remove: return "remove \(pointer) @\(stamp)"
        }
    }
}
