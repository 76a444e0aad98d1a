import Foundation

/// A value guarded by a lock, for the few Sendable reference types of the replay layer.
/// (`Mutex` needs macOS 15 / iOS 18; Tether supports macOS 14 / iOS 17.)
final class Locked<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State

    init(_ state: State) { self.state = state }

    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
