import Testing
import TetherModel

struct SmokeTests {
    @Test func setFiresAttributeThenChange() {
        let model = SyncModel(["id": 1, "a": 1])
        let log = EventLog()
        log.record(model)
        model.set(["a": 2, "b": 3])
        #expect(log.entries == ["change:a=2", "change:b=3", "change"])
        #expect(model.previous("a") == 1)
        #expect(model.changed == ["a": 2, "b": 3])
    }

    @Test func collectionSetOrder() throws {
        let c = try SyncCollection(models: [["id": 1, "x": 1], ["id": 2], ["id": 3]])
        let log = EventLog()
        log.record(c)
        try c.set([["id": 3], ["id": 1, "x": 2], ["id": 4]])
        #expect(log.entries == ["change:x=2", "change", "remove 2@1", "add 4", "sort", "update"])
        #expect(c.ids == ["3", "1", "4"])
        #expect(c.get(4)?.id == 4)
        #expect(c.get("4")?.id == 4)
        #expect(c.get(2) == nil)
    }
}
