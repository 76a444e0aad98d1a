/// The resume cursor a long-polling connection sends as `cursor=`, advanced by the frames it delivers.
///
/// Each poll is a fresh request, so the connection itself must remember how far the stream got; the
/// binder's cursor is only read at connect time. The cursor moves like the binder's own: a `snapshot`
/// sets it, a `patch` advances it only when it is the next sequence number in the same epoch. Gaps,
/// duplicates and foreign epochs leave it where it is, so the next poll asks the server to fill in.
struct LongPollCursor: Sendable {
    private let collections: [String]
    private var cursors: [String: StreamCursor] = [:]

    init(_ handshake: TransportHandshake) {
        collections = handshake.subscriptions.map(\.collection)
        for entry in handshake.subscriptions {
            if let cursor = entry.cursor { cursors[entry.collection] = cursor }
        }
    }

    /// The cursor of `collection`, if any.
    subscript(collection: String) -> StreamCursor? { cursors[collection] }

    /// Advances past `frame` when it is a snapshot, or the next patch, of a subscribed collection.
    mutating func advance(past frame: [UInt8]) {
        guard let position = FrameArrayScanner.streamPosition(of: frame), collections.contains(position.collection) else {
            return
        }
        let next = StreamCursor(epoch: position.epoch, seq: position.seq)
        if position.type == "snapshot" {
            cursors[position.collection] = next
        } else if let current = cursors[position.collection], current.epoch == position.epoch,
            current.seq &+ 1 == position.seq
        {
            cursors[position.collection] = next
        }
    }

    /// `todos=e1:42,users=e1:7`, in subscription order; collections without a cursor are left out.
    var string: String {
        collections.compactMap { collection in
            cursors[collection].map { "\(collection)=\($0.epoch):\($0.seq)" }
        }.joined(separator: ",")
    }
}
