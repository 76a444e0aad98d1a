import Foundation

/// A small lock-protected box for state shared between URLSession delegate callbacks and async callers.
///
/// `Mutex` needs macOS 15 / iOS 18, above the package's deployment targets, so this wraps `NSLock`.
final class ConnectionLock<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State

    init(_ state: State) {
        self.state = state
    }

    /// Runs `body` with exclusive access to the state. Never call out to user code or `await` inside.
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
