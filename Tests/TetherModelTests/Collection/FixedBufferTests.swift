import Testing
@testable import TetherModel

/// ``FixedBuffer`` hands over exactly what was appended and owns what it was not asked for.
@Suite struct FixedBufferTests {
    @Test("takeArray returns the appended elements in order, then the buffer is empty", arguments: [0, 1, 7, 300])
    func appendsThenTakes(count: Int) {
        var buffer = FixedBuffer<SyncModel?>(capacity: count)
        var reference: [SyncModel?] = []
        for i in 0..<count {
            let element: SyncModel? = i % 3 == 0 ? nil : SyncModel(["n": .number(.int(Int64(i)))])
            buffer.append(element)
            reference.append(element)
        }
        #expect(buffer.count == count)
        let taken = buffer.takeArray()
        #expect(taken.count == reference.count)
        #expect(zip(taken, reference).allSatisfy { $0 === $1 })
        #expect(buffer.count == 0)
        #expect(buffer.takeArray().isEmpty)
    }

    @Test("elements taken are owned by the array; elements never taken are released with the buffer")
    func ownership() {
        weak var kept: SyncModel?
        weak var dropped: SyncModel?
        var array: [SyncModel] = []
        do {
            var first = FixedBuffer<SyncModel>(capacity: 1)
            let model = SyncModel()
            kept = model
            first.append(model)
            array = first.takeArray()
            var second = FixedBuffer<SyncModel>(capacity: 1)
            let other = SyncModel()
            dropped = other
            second.append(other)
        }
        #expect(kept != nil && array.first === kept)
        #expect(dropped == nil)
        array.removeAll()
        #expect(kept == nil)
    }
}
