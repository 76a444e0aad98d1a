/// A growable stack the parser moves finished values into and out of without reference-count
/// traffic: closing a container moves its elements straight into the new array's storage.
struct ParseStack<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count: Int

    init(capacity: Int = 16) {
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
    ///
    /// (`reserveCapacity` + `append` rather than `init(unsafeUninitializedCapacity:)`: the latter
    /// reaches an unspecialized buffer initializer that looks up generic metadata on every call.)
    mutating func popArray(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0 else { return [] }
        var array: [Element] = []
        array.reserveCapacity(n)
        for i in start..<count { array.append((base + i).move()) }
        count = start
        return array
    }

    /// Discards the elements from `start` to the top.
    @inline(__always)
    mutating func drop(from start: Int) {
        (base + start).deinitialize(count: count - start)
        count = start
    }

    @inline(__always)
    func peek(_ index: Int) -> UnsafePointer<Element> { UnsafePointer(base + index) }

    /// The topmost element, for in-place updates. The stack must not be empty.
    @inline(__always)
    var top: UnsafeMutablePointer<Element> { base + (count - 1) }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
