/// The handlers of one event name, in registration order, with Backbone's snapshot semantics
/// for dispatches that are running while the list changes.
///
/// A dispatch walks the storage it found when it began and borrows each handler (no copy of the
/// list, no reference counting per handler). While any dispatch of this list is running, a
/// change builds new storage and parks the old one until the last running dispatch returns, so
/// a handler added during a dispatch does not run in it and one removed during it still runs in
/// it (and never again). With no dispatch running, changes happen in place.
///
/// Not thread-safe by design: it belongs to one ``EventHub``.
final class HandlerList {
    /// Handlers `0..<count`, owned (+1 each).
    @exclusivity(unchecked) private var storage: UnsafeMutablePointer<RegisteredHandler>
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private var capacity: Int
    /// Number of dispatches of this list now running (nested triggers add up).
    @exclusivity(unchecked) private(set) var depth = 0
    /// Storage replaced during a dispatch, kept alive until the outermost dispatch returns.
    @exclusivity(unchecked) private var retired: [(UnsafeMutablePointer<RegisteredHandler>, Int)] = []

    init() {
        capacity = 1
        storage = .allocate(capacity: 1)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
        releaseRetired()
    }

    var isEmpty: Bool { count == 0 }

    /// Whether the list may be dropped by its owner (nothing is walking it).
    var isIdle: Bool { depth == 0 }

    /// The handlers, in order (a copy, for bookkeeping paths).
    var handlers: [RegisteredHandler] { Array(UnsafeBufferPointer(start: storage, count: count)) }

    func append(_ handler: RegisteredHandler) {
        if depth > 0 {
            replaceStorage(capacity: Swift.max(count + 1, capacity)) { target in
                target.initialize(from: storage, count: count)
                (target + count).initialize(to: handler)
                return count + 1
            }
            return
        }
        if count == capacity {
            let grown = UnsafeMutablePointer<RegisteredHandler>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = grown
            capacity *= 2
        }
        (storage + count).initialize(to: handler)
        count += 1
    }

    /// Removes every handler for which `shouldRemove` is true, in order; calls `removed` for each.
    /// Returns the number removed.
    @discardableResult
    func removeAll(where shouldRemove: (RegisteredHandler) -> Bool, removed: (RegisteredHandler) -> Void) -> Int {
        var hits = 0
        for i in 0..<count where shouldRemove(storage[i]) { hits += 1 }
        if hits == 0 { return 0 }
        let doomed = UnsafeBufferPointer(start: storage, count: count).filter(shouldRemove)
        if depth > 0 {
            replaceStorage(capacity: Swift.max(1, count - hits)) { target in
                var n = 0
                for i in 0..<count where !shouldRemove(storage[i]) {
                    (target + n).initialize(to: storage[i])
                    n += 1
                }
                return n
            }
        } else {
            var n = 0
            for i in 0..<count {
                if shouldRemove(storage[i]) {
                    (storage + i).deinitialize(count: 1)
                } else {
                    if n != i { (storage + n).moveInitialize(from: storage + i, count: 1) }
                    n += 1
                }
            }
            count = n
        }
        for handler in doomed { removed(handler) }
        return hits
    }

    /// The handlers as they are now, for one dispatch; pair with ``end()``. Until then, changes to
    /// the list leave this snapshot's storage alive and untouched.
    @inline(__always)
    func begin() -> Snapshot {
        depth &+= 1
        return Snapshot(base: storage, count: count)
    }

    /// Ends a dispatch started by ``begin()``.
    @inline(__always)
    func end() {
        depth &-= 1
        if depth == 0 && !retired.isEmpty { releaseRetired() }
    }

    /// Calls every handler of `snapshot`, skipping once-handlers that already fired; a
    /// once-handler is removed (via `removeFired`) before it runs.
    @inline(__always)
    func run(_ snapshot: Snapshot, _ event: Event, removeFired: (RegisteredHandler) -> Void) {
        let base = snapshot.base
        var i = 0
        while i < snapshot.count {
            // The snapshot's storage owns the handler: borrow it, so calling it retains nothing.
            Unmanaged.passUnretained(base[i])._withUnsafeGuaranteedRef { handler in
                if handler.isOnce {
                    Self.fireOnce(handler, event, removeFired: removeFired)
                } else {
                    handler.callback(event)
                }
            }
            i += 1
        }
    }

    /// Runs a once-handler unless it already fired, removing it first (kept out of the dispatch
    /// loop, which stays small enough to be inlined where events are fired).
    @inline(never)
    static func fireOnce(_ handler: RegisteredHandler, _ event: Event, removeFired: (RegisteredHandler) -> Void) {
        if handler.fired { return }
        handler.fired = true
        removeFired(handler)
        handler.callback(event)
    }

    /// The storage a dispatch walks.
    struct Snapshot {
        let base: UnsafeMutablePointer<RegisteredHandler>
        let count: Int
    }

    private func replaceStorage(capacity newCapacity: Int, fill: (UnsafeMutablePointer<RegisteredHandler>) -> Int) {
        let target = UnsafeMutablePointer<RegisteredHandler>.allocate(capacity: newCapacity)
        let n = fill(target)
        retired.append((storage, count))
        storage = target
        count = n
        capacity = newCapacity
    }

    @inline(never)
    private func releaseRetired() {
        let parked = retired
        retired = []
        for (pointer, n) in parked {
            pointer.deinitialize(count: n)
            pointer.deallocate()
        }
    }
}
