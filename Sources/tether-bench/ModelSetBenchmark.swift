import Tether

/// w2: one `SyncModel`, 1,000,000 `set(attribute, value)` calls with a `change:<attribute>` and a
/// `change` listener (values cycle 0…6, so every call changes the value and fires both events).
enum ModelSetBenchmark {
    static func run(_ workload: ModelSetWorkload, runs: Int) -> BenchmarkResult {
        var attributeEvents = 0, changeEvents = 0
        var last = JSON.null
        let measurement = Measurement.run(runs: runs, prepare: { SyncModel() }) { model in
            let attributeCount = HandlerCount(), changeCount = HandlerCount()
            _ = model.on("change:" + workload.attribute) { _ in attributeCount.value += 1 }
            _ = model.on("change") { _ in changeCount.value += 1 }
            for value in workload.values { _ = model.set(workload.attribute, value) }
            attributeEvents = attributeCount.value
            changeEvents = changeCount.value
            last = model.get(workload.attribute) ?? .null
        }
        var result = BenchmarkResult(name: "w2 model set", measurement: measurement)
        result.counters = [
            ("sets", .int(Int64(workload.values.count))),
            ("events_change_attr", .int(Int64(attributeEvents))),
            ("events_change", .int(Int64(changeEvents))),
            ("ns_per_set", .double((measurement.cpuMedian / Double(workload.values.count) * 1e10).rounded() / 10)),
        ]
        result.checksum = fnv1a64(last.serializedBytes())
        // Backbone 1.6.1 on node 20, quiet machine: 0.67-1.1 s; 20x faster than its best run.
        result.target = ("cpu median ≤ 0.0335 s (20x Backbone's 0.67 s)", measurement.cpuMedian <= 0.0335)
        return result
    }
}
