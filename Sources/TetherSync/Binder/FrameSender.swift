/// Sends one connection's outgoing frames strictly in the order they were queued.
///
/// The binder queues frames from synchronous code (a `model.set` handler, a frame handler) with
/// ``enqueue(_:)``; one task drains the queue into ``TransportConnection/send(_:)``. A failed send
/// ends the drain: what was not sent is resent from the outbox on the next connection.
final class FrameSender: Sendable {
    private let continuation: AsyncStream<[[UInt8]]>.Continuation
    private let drain: Task<Void, Never>

    init(connection: any TransportConnection) {
        let (stream, continuation) = AsyncStream.makeStream(of: [[UInt8]].self)
        self.continuation = continuation
        drain = Task {
            for await frames in stream {
                do { try await connection.send(frames) } catch { break }
            }
        }
    }

    func enqueue(_ frames: [[UInt8]]) {
        guard !frames.isEmpty else { return }
        continuation.yield(frames)
    }

    /// Stops accepting frames and waits until the queued ones are sent (or sending failed).
    func finish() async {
        continuation.finish()
        await drain.value
    }
}
