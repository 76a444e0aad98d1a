// Frames that carry collection state: snapshot and patch.

extension WireFrame {
    /// `snapshot`: the authoritative state of a collection at `cursor`.
    public struct Snapshot: Sendable, Equatable {
        public var collection: String
        public var cursor: StreamCursor
        /// Model id → model object.
        public var state: JSONObject
        /// JSON Pointer → stamp string (versioned collections); `nil` when the server sent none.
        public var versions: [String: String]?

        public init(collection: String, cursor: StreamCursor, state: JSONObject, versions: [String: String]? = nil) {
            self.collection = collection
            self.cursor = cursor
            self.state = state
            self.versions = versions
        }
    }

    /// `patch`: the change with sequence number `cursor.seq` of a collection's stream.
    public struct Patch: Sendable, Equatable {
        public var collection: String
        /// The epoch and the seq of this patch.
        public var cursor: StreamCursor
        /// RFC 6902 operations, each a JSON object; either all carry a `stamp` or none does.
        public var ops: [JSON]
        /// The client mutation this patch carries, if any.
        public var origin: MutationID?

        public init(collection: String, cursor: StreamCursor, ops: [JSON], origin: MutationID? = nil) {
            self.collection = collection
            self.cursor = cursor
            self.ops = ops
            self.origin = origin
        }

        /// Whether the ops are versioned writes (they carry stamps) rather than a plain RFC 6902 patch.
        public var isVersioned: Bool { ops.first?["stamp"] != nil }
    }
}

/// The identity of one local write: the writing client and its per-client mutation number.
public struct MutationID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The writing client's id.
    public var client: String
    /// Its per-client number: 1, 2, 3, ... across all collections.
    public var mutation: UInt64

    public init(client: String, mutation: UInt64) {
        self.client = client
        self.mutation = mutation
    }

    public var description: String { "\(client)#\(mutation)" }
}
