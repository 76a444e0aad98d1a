import Tether

/// w1: a `SyncCollection` built from `initial` (silently, as `new Collection(models)`), then
/// `set(batch)` for every batch with one listener each on `add`, `remove`, `change` and `update`.
/// Backbone 1.6.1 fires 2,000 add, 2,000 remove, 19,221 change and 20 update on the shared files.
enum CollectionSetBenchmark {
    struct Counts: Equatable {
        var add = 0, remove = 0, change = 0, update = 0
    }

    static func run(_ workload: CollectionSetWorkload, runs: Int, label: String = "w1 collection set") throws -> BenchmarkResult {
        var counts = Counts()
        var finalState: [UInt8] = []
        let measurement = try Measurement.run(runs: runs, prepare: {
            try SyncCollection(models: workload.initial)
        }, finish: { collection in
            // The checksum of the final state is computed outside the timed region.
            finalState = JSON.array(collection.map { .object($0.attributes) }).serializedBytes(options: .sortedKeys)
        }) { collection in
            let add = HandlerCount(), remove = HandlerCount(), change = HandlerCount(), update = HandlerCount()
            _ = collection.on("add") { _ in add.value += 1 }
            _ = collection.on("remove") { _ in remove.value += 1 }
            _ = collection.on("change") { _ in change.value += 1 }
            _ = collection.on("update") { _ in update.value += 1 }
            for batch in workload.batches { _ = try collection.set(batch) }
            counts = Counts(add: add.value, remove: remove.value, change: change.value, update: update.value)
        }
        var result = BenchmarkResult(name: label, measurement: measurement)
        result.counters = [
            ("models", .int(Int64(workload.initial.count))),
            ("batches", .int(Int64(workload.batches.count))),
            ("events_add", .int(Int64(counts.add))),
            ("events_remove", .int(Int64(counts.remove))),
            ("events_change", .int(Int64(counts.change))),
            ("events_update", .int(Int64(counts.update))),
        ]
        result.checksum = fnv1a64(finalState)
        if label == "w1 collection set" {
            // Backbone 1.6.1 on node 20, quiet machine: 1.3-2.0 s; 20x faster than its best run.
            result.target = ("cpu median ≤ 0.065 s (20x Backbone's 1.3 s)", measurement.cpuMedian <= 0.065)
        }
        return result
    }
}
