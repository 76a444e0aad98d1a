/// Compares a replay's outcome with a fixture's `.expected.json`
/// (`{"events": [...], "state": {...}, "cursors": {...}, "pendingWrites": n}`).
public enum ReplayExpectation {
    /// Human-readable differences; empty when the replay matched.
    public static func differences(expected: JSON, actual: ReplayResult) -> [String] {
        var out: [String] = []
        func text(_ json: JSON) -> String { json.serialized(options: [.sortedKeys]) }
        if let state = expected["state"], state != actual.state {
            out.append("final state differs:\n  expected \(text(state))\n  actual   \(text(actual.state))")
        }
        if let cursors = expected["cursors"], cursors != actual.cursors {
            out.append("cursors differ: expected \(text(cursors)), actual \(text(actual.cursors))")
        }
        if let pending = expected["pendingWrites"]?.intValue, pending != actual.pendingWrites {
            out.append("pending writes differ: expected \(pending), actual \(actual.pendingWrites)")
        }
        if let events = expected["events"]?.arrayValue {
            for index in 0..<max(events.count, actual.events.count) {
                let e: JSON? = index < events.count ? events[index] : Optional.none
                let a: JSON? = index < actual.events.count ? actual.events[index] : Optional.none
                if e != a {
                    out.append("event \(index + 1) differs:\n  expected \(e.map(text) ?? "(none)")\n  actual   \(a.map(text) ?? "(none)")")
                    break
                }
            }
        }
        return out
    }
}
