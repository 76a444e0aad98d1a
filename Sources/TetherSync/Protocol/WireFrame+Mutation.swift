// Frames of the local-write round trip: mutate, ack, reject.

extension WireFrame {
    /// `mutate`: a local write, normalized into stamped ops.
    public struct Mutate: Sendable, Equatable {
        public var collection: String
        public var id: MutationID
        /// Versioned ops (`add`/`replace` with `value`, or `remove`), each with a `stamp`.
        public var ops: [JSON]

        public init(collection: String, id: MutationID, ops: [JSON]) {
            self.collection = collection
            self.id = id
            self.ops = ops
        }
    }

    /// `ack`: the mutation was applied; its patch has sequence number `seq`.
    public struct Ack: Sendable, Equatable {
        public var id: MutationID
        public var collection: String
        public var seq: UInt64

        public init(id: MutationID, collection: String, seq: UInt64) {
            self.id = id
            self.collection = collection
            self.seq = seq
        }
    }

    /// `reject`: the mutation was refused and must be rolled back.
    public struct Reject: Sendable, Equatable {
        public var id: MutationID
        public var collection: String?
        public var code: String
        public var reason: String?

        public init(id: MutationID, collection: String? = nil, code: String, reason: String? = nil) {
            self.id = id
            self.collection = collection
            self.code = code
            self.reason = reason
        }
    }
}
