import Testing
import TetherModel

/// Backbone's snapshot rule on the events a `set` fires (`change:<attr>`, `change`, `all`): those
/// are dispatched from element pointers instead of array copies, so these cases check that lists
/// changed by a running handler still behave as snapshots.
@Suite struct ModelEventSnapshotTests {
    @Test("change:attr handler adding handlers (enough to reallocate) does not run them in this event")
    func addDuringAttributeEvent() {
        let model = SyncModel()
        var added = 0
        var log: [String] = []
        model.on("change:n") { _ in
            log.append("first")
            for _ in 0..<64 { model.on("change:n") { _ in added += 1 } }
            model.on("all") { _ in added += 1 }
            model.on("change") { _ in added += 1 }
        }
        model.on("change:n") { _ in log.append("second") }
        model.set("n", 1)
        #expect(log == ["first", "second"])
        // The `change` list was snapshotted when `change` fired, after the handler above ran:
        // the new `change` handler runs (1), the new `all` handler sees `change` (1).
        #expect(added == 2)
        added = 0
        model.set("n", 2)
        // "first" adds 66 more handlers again, none of which runs in the event that added them:
        // 64 change:n handlers, `all` for change:n (1 in its snapshot), then `change` (2) and `all` (2).
        #expect(added == 64 + 1 + 2 + 2)
    }

    @Test("handlers removed during a change event still run in it, then never again")
    func removeDuringChangeEvent() {
        let model = SyncModel()
        var log: [String] = []
        model.on("change") { _ in
            log.append("a")
            model.off("change")
            model.off("all")
        }
        model.on("change") { _ in log.append("b") }
        model.on("all") { event in log.append("all " + event.name) }
        model.set("n", 1)
        #expect(log == ["all change:n", "a", "b", "all change"])
        log.removeAll()
        model.set("n", 2)
        #expect(log.isEmpty)
    }

    @Test("once on change:attr runs once across a nested set from its own handler")
    func onceAcrossNestedSet() {
        let model = SyncModel()
        var onceRuns = 0
        var changes = 0
        model.once("change:n") { _ in
            onceRuns += 1
            model.set("n", 99)
        }
        model.on("change:n") { _ in changes += 1 }
        model.set("n", 1)
        #expect(onceRuns == 1)
        #expect(changes == 2)
        #expect(model.get("n") == 99)
    }

    @Test("a handler swapping the attribute list of another key keeps both lists intact")
    func cacheSwitchDuringDispatch() {
        let model = SyncModel()
        var log: [String] = []
        model.on("change:a") { _ in
            log.append("a1")
            model.set("b", 1)  // fills the one-entry cache with `change:b` while `change:a` runs
            model.off("change:b")
        }
        model.on("change:a") { _ in log.append("a2") }
        model.on("change:b") { _ in log.append("b") }
        model.set("a", 1)
        #expect(log == ["a1", "b", "a2"])
    }
}
