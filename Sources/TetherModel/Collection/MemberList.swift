/// A collection's models in order, able to hold a gap of removed models while `remove` events run.
///
/// Backbone splices each removed model out before its `remove` event, and handlers may read the
/// collection then. Splicing a 10,000-model array per removal moves the whole tail every time;
/// here a removal only widens a gap (the removed models, parked in place), moving just the models
/// between it and the previous removal, so removing k models in order costs O(n) in total instead
/// of O(k·n). Reading the models as an array (``array``) or ``close()`` squeezes the gap out.
///
/// The logical sequence (what ``count``, the subscript and ``array`` show) never contains the
/// gap, so every reader sees exactly the spliced list.
struct MemberList {
    /// The models, with `gapCount` removed ones parked at `gapStart..<gapStart + gapCount`.
    private var storage: [SyncModel] = []
    private var gapStart = 0
    private var gapCount = 0

    init() {}

    /// Number of models (the gap excluded).
    var count: Int { storage.count &- gapCount }

    /// The model at logical position `i` (`0..<count`).
    subscript(i: Int) -> SyncModel {
        i < gapStart ? storage[i] : storage[i &+ gapCount]
    }

    /// The models as a plain array; closes the gap first.
    var array: [SyncModel] {
        mutating get {
            close()
            return storage
        }
    }

    /// Replaces every model (any gap is dropped with the old storage).
    mutating func replace(with models: [SyncModel]) {
        storage = models
        gapStart = 0
        gapCount = 0
    }

    /// Makes the models exactly `list`, in its order, where `list` is the current models plus
    /// `added` (new models, not yet stored) in some order and `seen` holds exactly `list`'s models.
    ///
    /// When that holds (checked: same count, every stored model in `seen`, none twice) the stored
    /// references are only rearranged: each slot is rewritten with a pointer whose +1 another slot
    /// already held, so no model is retained or released and none is touched. Otherwise (a
    /// handler changed the collection meanwhile) the list is copied the ordinary way.
    /// `seen`'s members are marked visited by the check.
    mutating func adopt(_ list: [Unmanaged<SyncModel>], adding added: [SyncModel], seen: inout IdentitySet) {
        close()
        storage.append(contentsOf: added)
        guard storage.count == list.count, seen.count == list.count, !list.isEmpty, holdsOnly(&seen) else {
            storage = list.map { $0.takeUnretainedValue() }
            return
        }
        list.withUnsafeBufferPointer { source in
            storage.withUnsafeMutableBufferPointer { target in
                // Raw stores: the multiset of references is unchanged, so ownership balances.
                let raw = UnsafeMutableRawPointer(target.baseAddress.unsafelyUnwrapped)
                for i in 0..<source.count {
                    raw.storeBytes(of: source[i], toByteOffset: i &* MemoryLayout<SyncModel>.stride,
                                   as: Unmanaged<SyncModel>.self)
                }
            }
        }
    }

    /// Whether every stored model is in `seen` and none is stored twice.
    private func holdsOnly(_ seen: inout IdentitySet) -> Bool {
        storage.withUnsafeBufferPointer { buffer in
            for i in 0..<buffer.count where !seen.markVisited(buffer[i]) { return false }
            return true
        }
    }

    /// Inserts `models` at logical position `index`.
    mutating func insert(contentsOf models: [SyncModel], at index: Int) {
        close()
        storage.insert(contentsOf: models, at: index)
    }

    /// The logical position of `model` (by identity), or `nil`.
    func index(of model: SyncModel) -> Int? {
        storage.withUnsafeBufferPointer { buffer in
            for i in 0..<gapStart where buffer[i] === model { return i }
            var i = gapStart &+ gapCount
            while i < buffer.count {
                if buffer[i] === model { return i &- gapCount }
                i &+= 1
            }
            return nil
        }
    }

    /// The models that `seen` does not hold, in order, with their logical positions.
    func absent(from seen: borrowing IdentitySet) -> (models: [SyncModel], positions: [Int]) {
        var models: [SyncModel] = []
        var positions: [Int] = []
        storage.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                if i == gapStart && gapCount != 0 { i &+= gapCount; continue }
                if !seen.contains(buffer[i]) {
                    models.append(buffer[i])
                    positions.append(i < gapStart ? i : i &- gapCount)
                }
                i &+= 1
            }
        }
        return (models, positions)
    }

    /// Whether the models are exactly `list`, in order.
    func matches(_ list: [Unmanaged<SyncModel>]) -> Bool {
        guard list.count == count else { return false }
        return storage.withUnsafeBufferPointer { buffer in
            for i in 0..<list.count {
                let j = i < gapStart ? i : i &+ gapCount
                if list[i].toOpaque() != Unmanaged.passUnretained(buffer[j]).toOpaque() { return false }
            }
            return true
        }
    }

    /// Removes the model at logical position `index` by widening the gap to cover it. Costs the
    /// distance between `index` and the gap, so removals in ascending order are O(n) altogether.
    mutating func removeLeavingGap(at index: Int) {
        precondition(index >= 0 && index < count, "MemberList index out of range")
        if gapCount == 0 {
            gapStart = index
            gapCount = 1
            return
        }
        let start = gapStart, width = gapCount
        storage.withUnsafeMutableBufferPointer { buffer in
            if index >= start {
                // Rotate the gap up past the models at logical start..<index: each swap moves one
                // model down into the gap and a parked model up (no reference counting).
                var target = start, source = start &+ width
                let end = index &+ width
                while source < end {
                    buffer.swapAt(target, source)
                    target &+= 1
                    source &+= 1
                }
            } else {
                // Rotate the gap down past the models at logical index + 1..<start.
                var target = start &+ width &- 1, source = start &- 1
                while source > index {
                    buffer.swapAt(target, source)
                    target &-= 1
                    source &-= 1
                }
            }
        }
        // Either way the gap now starts at `index` and the removed model sits at its edge.
        gapStart = index
        gapCount = width &+ 1
    }

    /// Squeezes the gap out (one move of the models after it).
    mutating func close() {
        if gapCount == 0 { return }
        storage.removeSubrange(gapStart..<(gapStart &+ gapCount))
        gapStart = 0
        gapCount = 0
    }
}
