import Foundation
import Tether

/// JSON parse and serialize throughput on the w1 file, beside Foundation's parsers on the same bytes.
enum ParseBenchmark {
    static func run(bytes: [UInt8], runs: Int) throws -> [BenchmarkResult] {
        let megabytes = Double(bytes.count) / 1_000_000
        func throughput(_ m: Measurement) -> JSON { .double((megabytes / m.cpuMedian * 10).rounded() / 10) }

        var parsed = JSON.null
        let tether = try Measurement.run(runs: runs, prepare: { () }) { _ in parsed = try JSON(parsing: bytes) }
        let data = Data(bytes)
        let serialization = try Measurement.run(runs: runs, prepare: { () }) { _ in
            _ = try JSONSerialization.jsonObject(with: data)
        }
        let decoder = try Measurement.run(runs: runs, prepare: { () }) { _ in
            _ = try JSONDecoder().decode(JSON.self, from: data)
        }
        var output: [UInt8] = []
        let serialize = Measurement.run(runs: runs, prepare: { () }) { _ in output = parsed.serializedBytes() }

        let ratio = serialization.cpuMedian / tether.cpuMedian
        var results = [
            BenchmarkResult(name: "parse tether", measurement: tether,
                            counters: [("bytes", .int(Int64(bytes.count))), ("MB_per_s", throughput(tether)),
                                       ("x_JSONSerialization", .double((ratio * 10).rounded() / 10))],
                            target: ("≥ 5x JSONSerialization", ratio >= 5)),
            BenchmarkResult(name: "parse JSONSerialization", measurement: serialization,
                            counters: [("MB_per_s", throughput(serialization))]),
            BenchmarkResult(name: "parse JSONDecoder", measurement: decoder,
                            counters: [("MB_per_s", throughput(decoder))],
                            notes: ["decodes into Tether's JSON through its Codable conformance"]),
            BenchmarkResult(name: "serialize tether", measurement: serialize,
                            counters: [("bytes", .int(Int64(output.count))), ("MB_per_s", throughput(serialize))]),
        ]
        results[0].checksum = fnv1a64(parsed.serializedBytes(options: .sortedKeys))
        return results
    }
}
