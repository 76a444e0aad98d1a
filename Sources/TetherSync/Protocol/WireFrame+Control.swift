// Frames that report problems or end the session: error and close.

extension WireFrame {
    /// `error`: a problem the server reports without ending the session.
    public struct ServerError: Sendable, Equatable {
        public var code: String
        public var message: String
        public var retryAfterMilliseconds: UInt64?
        /// The collection the error concerns, if any.
        public var collection: String?

        public init(code: String, message: String, retryAfterMilliseconds: UInt64? = nil, collection: String? = nil) {
            self.code = code
            self.message = message
            self.retryAfterMilliseconds = retryAfterMilliseconds
            self.collection = collection
        }
    }

    /// `close`: the server ends the session, with a retry hint.
    public struct Close: Sendable, Equatable {
        public var code: String
        public var reason: String?
        public var retryAfterMilliseconds: UInt64?

        public init(code: String, reason: String? = nil, retryAfterMilliseconds: UInt64? = nil) {
            self.code = code
            self.reason = reason
            self.retryAfterMilliseconds = retryAfterMilliseconds
        }

        /// Codes after which the client must not reconnect on its own (PROTOCOL.md section 7).
        public var isFatal: Bool {
            code == "unsupported-protocol" || code == "unauthorized" || code == "forbidden"
        }
    }
}
