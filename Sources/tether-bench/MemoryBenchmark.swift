import Tether

/// memory: malloc-reported bytes per model for 100,000 w1-shaped models, as a `SyncCollection`
/// (no versioning metadata) and as a `VersionedDocument` (per-key stamps and nodes).
///
/// The input JSON is built first and kept alive, so nested values (tags, meta) are shared by the
/// input and the models, as in Backbone, whose figure (~790 bytes per model) counts the same way.
enum MemoryBenchmark {
    static func run(modelCount: Int = 100_000) throws -> [BenchmarkResult] {
        var generator = WorkloadGenerator(seed: 7)
        let input: [JSON] = (0..<modelCount).map { .object(generator.model($0)) }
        guard let before = MallocStatistics.bytesInUse() else {
            return [BenchmarkResult(name: "memory", notes: ["malloc statistics unavailable on this platform"])]
        }
        let collection = try SyncCollection(models: input)
        let afterCollection = MallocStatistics.bytesInUse() ?? before
        let perModel = Double(afterCollection - before) / Double(modelCount)

        let replica = try ReplicaID("bench")
        var clock = HybridLogicalClock(replica: replica, physicalClock: { 1_700_000_000_000 })
        var document = VersionedDocument()
        let beforeDocument = MallocStatistics.bytesInUse() ?? before
        for value in input {
            _ = document.apply(try .set([value["id"]!.stringValue!], value, stamp: clock.now()))
        }
        let afterDocument = MallocStatistics.bytesInUse() ?? beforeDocument
        let perVersioned = Double(afterDocument - beforeDocument) / Double(modelCount)
        withExtendedLifetime((collection, document)) {}

        return [
            BenchmarkResult(
                name: "memory SyncCollection",
                counters: [("models", .int(Int64(modelCount))), ("bytes_per_model", .int(Int64(perModel))),
                           ("measure", "malloc in-use bytes (glibc malloc_stats)")],
                target: ("≤ 790 bytes per model (Backbone 1.6.1)", perModel <= 790)
            ),
            BenchmarkResult(
                name: "memory VersionedDocument",
                counters: [("models", .int(Int64(modelCount))), ("bytes_per_model", .int(Int64(perVersioned))),
                           ("measure", "malloc in-use bytes (glibc malloc_stats)")],
                notes: ["versioning metadata: a node and a stamp per model and per attribute, plus the materialized state"]
            ),
        ]
    }
}
