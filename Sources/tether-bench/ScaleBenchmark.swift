import Tether

/// scale: w1 and w3 on generated workloads of 1k, 10k and 100k models (w1: 20 batches; w3: 10
/// single-op patches per model), to show how cost grows with collection size. Linear growth shows
/// as a constant cost per model / per op.
enum ScaleBenchmark {
    static func run(runs: Int, sizes: [Int] = [1_000, 10_000, 100_000]) throws -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        for size in sizes {
            var generator = WorkloadGenerator(seed: UInt64(size))
            let w1 = generator.collectionSet(models: size, batches: 20)
            var r1 = try CollectionSetBenchmark.run(w1, runs: runs, label: "scale w1 \(size)")
            if let m = r1.measurement {
                r1.counters.append(("us_per_model_batch", .double((m.cpuMedian / Double(size * 20) * 1e7).rounded() / 10)))
            }
            results.append(r1)
            let w3 = generator.patchStream(models: size, ops: size * 10)
            var r3 = try PatchStreamBenchmark.run(w3, runs: runs, label: "scale w3 \(size)")
            if let m = r3.measurement {
                r3.counters.append(("ns_per_op", .double((m.cpuMedian / Double(size * 10) * 1e10).rounded() / 10)))
            }
            results.append(r3)
        }
        return results
    }
}
