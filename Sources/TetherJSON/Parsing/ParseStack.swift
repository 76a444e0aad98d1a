/// A growable stack the parser moves finished values into and out of without reference-count
/// traffic: closing a container moves its elements straight into the new array's storage.
struct ParseStack<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count: Int

    init(capacity: Int = 64) {
        self.capacity = Swift.max(capacity, 4)
        base = .allocate(capacity: self.capacity)
        count = 0
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    @inline(__always)
    mutating func pop() -> Element {
        count -= 1
        return (base + count).move()
    }

    /// Moves the elements from `start` to the top into a new array, leaving `start` as the count.
    mutating func popArray(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0 else { return [] }
        let source = base + start
        count = start
        return [Element](unsafeUninitializedCapacity: n) { buffer, initialized in
            buffer.baseAddress.unsafelyUnwrapped.moveInitialize(from: source, count: n)
            initialized = n
        }
    }

    /// Moves the element at `index` out; only for use by ``drop(from:)``-style bulk moves where the
    /// caller then lowers the count with ``forget(from:)``.
    @inline(__always)
    func take(_ index: Int) -> Element { (base + index).move() }

    /// Lowers the count to `start` without deinitializing: the elements were already moved out.
    @inline(__always)
    mutating func forget(from start: Int) { count = start }

    @inline(__always)
    func peek(_ index: Int) -> UnsafePointer<Element> { UnsafePointer(base + index) }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
