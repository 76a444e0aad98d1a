#if canImport(Synchronization)
import Synchronization
#endif

/// Identifies the registration made by one `on`/`once`/`listenTo` call, so it can be removed later.
///
/// Swift closures have no identity, so Backbone's `off(name, callback)` becomes `off(name, token)`.
/// One call that names several events (`"add remove"` or an event map) returns one token covering
/// all of them, like passing the same function several times in Backbone.
public struct EventToken: Hashable, Sendable {
    let id: UInt64

    init(id: UInt64) { self.id = id }

    /// A new process-wide unique token.
    static func next() -> EventToken { EventToken(id: UniqueCounter.tokens.next()) }
}

/// Process-wide increasing counters (Backbone's `_.uniqueId`) for tokens and model cids.
///
/// The only shared mutable state in the model layer; it is atomic so models created on different
/// actors still get distinct ids.
final class UniqueCounter: Sendable {
    static let tokens = UniqueCounter()
    static let cids = UniqueCounter()

    #if canImport(Synchronization) && !canImport(Darwin)
    private let value = Atomic<UInt64>(0)
    func next() -> UInt64 { value.add(1, ordering: .relaxed).newValue }
    #else
    private let storage = LockedCounter()
    func next() -> UInt64 { storage.next() }
    #endif
}

#if !(canImport(Synchronization) && !canImport(Darwin))
import os

/// Apple fallback for deployment targets older than `Atomic` (macOS 15 / iOS 18).
private final class LockedCounter: Sendable {
    private let lock = OSAllocatedUnfairLock(initialState: UInt64(0))
    func next() -> UInt64 { lock.withLock { $0 += 1; return $0 } }
}
#endif
