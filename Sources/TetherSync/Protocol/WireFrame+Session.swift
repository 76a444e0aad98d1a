// Frames that open and steer a session: hello, welcome, subscribe, synced.

extension WireFrame {
    /// `hello`: the first frame of a WebSocket session.
    public struct Hello: Sendable, Equatable {
        /// Protocol version the client speaks (``WireFrame/protocolVersion``).
        public var protocolVersion: Int
        /// The client id, also the replica id of its stamps.
        public var client: String
        /// Bearer token, if the server needs one.
        public var token: String?
        /// Collection name → resume cursor (`nil`: send a snapshot), in the client's order.
        public var subscriptions: [(collection: String, cursor: StreamCursor?)]
        /// Unacknowledged mutations the client is about to resend (informational).
        public var pending: Int?

        public init(
            protocolVersion: Int = WireFrame.protocolVersion,
            client: String,
            token: String? = nil,
            subscriptions: [(collection: String, cursor: StreamCursor?)],
            pending: Int? = nil
        ) {
            self.protocolVersion = protocolVersion
            self.client = client
            self.token = token
            self.subscriptions = subscriptions
            self.pending = pending
        }

        public static func == (lhs: Hello, rhs: Hello) -> Bool {
            lhs.protocolVersion == rhs.protocolVersion && lhs.client == rhs.client && lhs.token == rhs.token
                && lhs.pending == rhs.pending
                && lhs.subscriptions.elementsEqual(rhs.subscriptions) { $0.collection == $1.collection && $0.cursor == $1.cursor }
        }
    }

    /// `welcome`: the server accepted the session.
    public struct Welcome: Sendable, Equatable {
        public var protocolVersion: Int
        /// The server's id (informational).
        public var server: String
        /// The server sends some frame at least this often, in milliseconds.
        public var heartbeatMilliseconds: UInt64

        public init(protocolVersion: Int = WireFrame.protocolVersion, server: String, heartbeatMilliseconds: UInt64) {
            self.protocolVersion = protocolVersion
            self.server = server
            self.heartbeatMilliseconds = heartbeatMilliseconds
        }
    }

    /// `subscribe`: add a collection, or resync one (`cursor == nil` forces a snapshot).
    public struct Subscribe: Sendable, Equatable {
        public var collection: String
        public var cursor: StreamCursor?

        public init(collection: String, cursor: StreamCursor?) {
            self.collection = collection
            self.cursor = cursor
        }
    }

    /// `synced`: everything up to `cursor` has been sent for `collection`.
    public struct Synced: Sendable, Equatable {
        public var collection: String
        /// The stream's current epoch and seq.
        public var cursor: StreamCursor

        public init(collection: String, cursor: StreamCursor) {
            self.collection = collection
            self.cursor = cursor
        }
    }
}
