import Observation
import Testing
import TetherModel

struct Todo: Codable, Equatable {
    var id: Int
    var title: String
    var done: Bool
}

/// Counts Observation callbacks. `onChange` is `@Sendable`, but it runs synchronously inside the
/// mutating call on the test's own thread, so unchecked sendability is sound here.
final class Counter: @unchecked Sendable {
    private(set) var value = 0
    func increment() { value += 1 }
}

/// Codable, AsyncSequence and Observation faces of models and collections.
@Suite struct SwiftFacesTests {
    @Test func decodeAndEncode() throws {
        let model = SyncModel(["id": 1, "title": "milk", "done": false])
        #expect(try model.decode(Todo.self) == Todo(id: 1, title: "milk", done: false))
        let log = EventLog()
        log.record(model)
        try model.set(encoding: Todo(id: 1, title: "oat milk", done: true))
        #expect(log.entries == ["change:title=\"oat milk\"", "change:done=true", "change"])
        #expect(throws: ModelError.notAnObject("array")) { try model.set(encoding: [1, 2]) }
    }

    @Test func eventsAsAsyncSequence() async {
        let model = SyncModel()
        let stream = model.events
        model.set("a", 1)
        model.set("b", 2)
        var names: [String] = []
        for await event in stream {
            names.append(event.name)
            if names.count == 4 { break }
        }
        #expect(names == ["change:a", "change", "change:b", "change"])
    }

    @Test func filteredEventStream() async {
        let collection = SyncCollection()
        let stream = collection.events("add")
        collection.add(["id": 1])
        collection.add(["id": 2])
        var ids: [JSON?] = []
        for await event in stream {
            ids.append(event.model?.id)
            if ids.count == 2 { break }
        }
        #expect(ids == [1, 2])
    }

    @Test func observationFiresOnChangeOfReadModel() {
        let model = SyncModel(["title": "a"])
        let fired = Counter()
        withObservationTracking {
            _ = model.get("title")
        } onChange: {
            fired.increment()
        }
        model.set("title", "b")
        #expect(fired.value == 1)
        model.set("title", "c")
        #expect(fired.value == 1, "tracking is one-shot")
        withObservationTracking {
            _ = model.attributes
        } onChange: {
            fired.increment()
        }
        model.set("title", "c")  // no change, no notification
        #expect(fired.value == 1)
        model.unset("title")
        #expect(fired.value == 2)
    }
}
