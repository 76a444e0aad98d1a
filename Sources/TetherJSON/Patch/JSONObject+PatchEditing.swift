// Slot-level edits the patch engine needs to undo a removal exactly (same member order), built on
// JSONObject's internal storage. They keep JSONObject's invariants: `liveCount` counts non-nil
// slots, and `index` (when present) maps every live key to its slot.

extension JSONObject {
    /// Removes the member in `slot`. With `keepingSlot`, an indexed object leaves a hole instead of
    /// compacting, so slot numbers stay valid for ``restore(_:at:intoHole:)``.
    ///
    /// - Returns: the removed member and whether it left a hole (`false`: the slots shifted).
    @inline(__always)
    mutating func removeMember(atSlot slot: Int, keepingSlot: Bool) -> (entry: Entry, hole: Bool) {
        let entry = slots[slot].unsafelyUnwrapped
        liveCount -= 1
        if index != nil {
            unindex(entry.key, slot: slot)
            slots[slot] = nil
            if !keepingSlot { compactIfSparse() }
            return (entry, true)
        }
        slots.remove(at: slot)
        return (entry, false)
    }

    /// Puts a member removed by ``removeMember(atSlot:keepingSlot:)`` back where it was.
    mutating func restore(_ entry: Entry, at slot: Int, intoHole: Bool) {
        liveCount += 1
        if intoHole {
            index!.insert(slot: slot, hash: MemberIndex.hash(entry.key))
            slots[slot] = entry
        } else {
            slots.insert(entry, at: slot)
            if index != nil { buildIndex() }
        }
    }

    /// Removes the member appended last (undo of an `add` that created it).
    mutating func removeLastAppended() {
        let entry = slots.removeLast().unsafelyUnwrapped
        liveCount -= 1
        if index != nil { unindex(entry.key, slot: slots.count) }
    }

    /// Compacts when holes outnumber members, the same rule ``removeValue(forKey:)`` applies.
    @inline(__always)
    mutating func compactIfSparse() {
        if index != nil, slots.count - liveCount > Swift.max(8, liveCount) { compact() }
    }
}
