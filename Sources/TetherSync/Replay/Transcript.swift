/// A recorded or hand-written session between one client and a server: the `.jsonl` files under
/// `Fixtures/sessions/` (format in Fixtures/README.md).
///
/// Line 1 is the ``Header``; every further line is one ``TranscriptEntry``. Transcripts are what
/// ``ReplayTransport`` replays and ``TranscriptRecorder`` writes, so a live session can be captured
/// once and replayed deterministically forever after.
public struct Transcript: Sendable, Equatable {
    /// Who the client is and what it binds.
    public struct Header: Sendable, Equatable {
        /// The client id the replayed binder must use (stamps and mutations depend on it).
        public var client: String
        /// The collections the binder binds, in subscription order.
        public var collections: [String]
        /// The virtual clock's start, in milliseconds since the Unix epoch.
        public var clock: UInt64
        /// One-line summary.
        public var title: String
        /// The transport the session was recorded on (`nil` for hand-written transcripts). A replay
        /// answers `ping` as that transport's client did: not at all on SSE and long polling.
        public var transport: TransportKind?

        public init(
            client: String, collections: [String], clock: UInt64 = 1_732_645_000_000, title: String = "",
            transport: TransportKind? = nil
        ) {
            self.client = client
            self.collections = collections
            self.clock = clock
            self.title = title
            self.transport = transport
        }
    }

    public var header: Header
    public var entries: [TranscriptEntry]

    public init(header: Header, entries: [TranscriptEntry] = []) {
        self.header = header
        self.entries = entries
    }
}

/// One step of a ``Transcript``.
public enum TranscriptEntry: Sendable, Equatable {
    /// The client opens a connection (`fail`: the attempt fails with this message).
    case connect(fail: String?)
    /// The client sends this frame. On replay the sent frame must contain every member listed here
    /// with an equal value (members not listed are not compared).
    case out(JSON)
    /// The server delivers these frames' texts as one batch (a text need not be valid JSON: malformed
    /// frames are part of the contract).
    case `in`([[UInt8]])
    /// Virtual time passes.
    case delay(milliseconds: UInt64)
    /// The connection ends at the transport level (socket closed, server restarted).
    case disconnect(TransportCloseReason)
    /// The application changes a bound collection (replay runs it on the binder's isolation).
    case local(LocalAction)
}

/// A change the application makes to a bound collection, scripted in a transcript.
public struct LocalAction: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// `model.set(attributes)` on an existing model.
        case set
        /// `model.unset(attribute)` for each name in `attributes`' keys.
        case unset
        /// `collection.add(attributes)`.
        case add
        /// `collection.remove(id)`.
        case remove
    }

    public var kind: Kind
    public var collection: String
    public var id: String
    public var attributes: JSONObject

    public init(kind: Kind, collection: String, id: String, attributes: JSONObject = [:]) {
        self.kind = kind
        self.collection = collection
        self.id = id
        self.attributes = attributes
    }
}
