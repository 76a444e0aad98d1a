import Foundation

/// A bounded hand-off from a connection's queue to one consumer, with backpressure instead of loss.
///
/// The connection pushes what each read produced; once the consumer is ``capacity`` elements behind,
/// `push` answers false and the connection stops reading the socket, so TCP flow control slows the server.
/// When the consumer has caught up to half the capacity, the resume handler restarts reading. Public
/// streams are built with `AsyncStream(unfolding:)` over ``next()``, so nothing is buffered anywhere else.
final class WebSocketInbox<Element: Sendable>: @unchecked Sendable {
    let capacity: Int
    private let lock = NSLock()
    private var items: [Element] = []
    private var head = 0
    private var waiter: CheckedContinuation<Element?, Never>?
    private var finished = false
    private var producerPaused = false
    private var resumeProducer: (@Sendable () -> Void)?

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Sets what to call when a paused producer may continue.
    func onResume(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        resumeProducer = handler
        lock.unlock()
    }

    /// Adds elements; returns false when the producer should pause until the resume handler runs.
    @discardableResult
    func push(_ elements: [Element]) -> Bool {
        guard !elements.isEmpty else { return true }
        lock.lock()
        guard !finished else {
            lock.unlock()
            return true
        }
        var handOff: (CheckedContinuation<Element?, Never>, Element)?
        if let waiter {
            self.waiter = nil
            handOff = (waiter, elements[0])
            items.append(contentsOf: elements.dropFirst())
        } else {
            items.append(contentsOf: elements)
        }
        let keepGoing = items.count - head < capacity
        if !keepGoing { producerPaused = true }
        lock.unlock()
        handOff?.0.resume(returning: handOff?.1)
        return keepGoing
    }

    /// No more elements will come; the consumer gets what is buffered, then nil.
    func finish() {
        lock.lock()
        finished = true
        let waiter = waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume(returning: nil)
    }

    /// The next element; nil once finished and drained, or when the consuming task is cancelled.
    func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                lock.lock()
                if head < items.count {
                    let element = items[head]
                    head += 1
                    if head == items.count {
                        items.removeAll(keepingCapacity: items.capacity <= 1024)
                        head = 0
                    } else if head >= 1024, head * 2 >= items.count {
                        items.removeSubrange(0..<head)
                        head = 0
                    }
                    var resume: (@Sendable () -> Void)?
                    if producerPaused, items.count - head <= capacity / 2 {
                        producerPaused = false
                        resume = resumeProducer
                    }
                    lock.unlock()
                    resume?()
                    continuation.resume(returning: element)
                } else if finished || Task.isCancelled {
                    lock.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiter = continuation
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let waiter = waiter
            self.waiter = nil
            lock.unlock()
            waiter?.resume(returning: nil)
        }
    }
}
