// `for await event in model.events`: the same events as handlers see, as an AsyncSequence.

extension EventEmitter {
    /// Every event of this emitter (an `all` listener), for `for await` consumers.
    ///
    /// - Important: Consume it on the emitter's isolation domain (e.g. a `Task` started on the same
    ///   actor): events carry the non-`Sendable` models. At most 4,096 undelivered events are buffered
    /// (the oldest are dropped beyond that); use ``events(_:bufferingPolicy:)`` to choose.
    public var events: AsyncStream<Event> { events("all") }

    /// The events named in `names` (space-separated; `"all"` for every event) as an `AsyncStream`.
    ///
    /// The underlying handler is removed at the first event after the stream is cancelled or
    /// deallocated, or when the emitter goes away.
    public func events(
        _ names: String, bufferingPolicy: AsyncStream<Event>.Continuation.BufferingPolicy = .bufferingNewest(4096)
    ) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: bufferingPolicy)
        let box = TokenBox()
        box.token = on(names) { [weak self] event in
            // Events hold non-Sendable models; the stream is documented for same-isolation use, which
            // the compiler cannot express for AsyncStream, hence the unchecked hand-off.
            nonisolated(unsafe) let event = event
            if case .terminated = continuation.yield(event) {
                if let self, let token = box.token { self.off(token: token) }
            }
        }
        return stream
    }
}

/// Holds the token of a stream's handler so the handler can remove itself.
private final class TokenBox {
    var token: EventToken?
}
