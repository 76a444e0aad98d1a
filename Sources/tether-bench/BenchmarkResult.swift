import Tether

/// One workload's outcome: timings, the work done, and a checksum of the final state so that runs
/// (and implementations) can be compared for correctness, not just speed.
struct BenchmarkResult {
    var name: String
    var measurement: Measurement?
    /// Work counters: ops, events by name, bytes, models...
    var counters: [(String, JSON)] = []
    /// FNV-1a 64 of the final state's canonical (sorted-key, compact) serialization.
    var checksum: String?
    /// A target from the issues, e.g. "<= 0.065 s", and whether it was met.
    var target: (description: String, met: Bool)?
    var notes: [String] = []

    func json() -> JSON {
        var object = JSONObject()
        object["workload"] = .string(name)
        if let m = measurement {
            object["median_s"] = .double(m.median)
            object["min_s"] = .double(m.min)
            object["cpu_median_s"] = .double(m.cpuMedian)
            object["cpu_min_s"] = .double(m.cpuMin)
            object["runs"] = .int(Int64(m.samples.count))
        }
        for (key, value) in counters { object[key] = value }
        if let checksum { object["checksum"] = .string(checksum) }
        if let target {
            object["target"] = .string(target.description)
            object["target_met"] = .bool(target.met)
        }
        if !notes.isEmpty { object["notes"] = .array(notes.map { .string($0) }) }
        return .object(object)
    }

    func humanReadable() -> String {
        var line = name.padding(toLength: 24, withPad: " ", startingAt: 0)
        if let m = measurement {
            line += String(format: " median %8.4f s  min %8.4f s  cpu median %8.4f s  min %8.4f s  (%d runs)",
                           m.median, m.min, m.cpuMedian, m.cpuMin, m.samples.count)
        }
        var text = line
        for (key, value) in counters { text += "\n    \(key): \(value)" }
        if let checksum { text += "\n    checksum: \(checksum)" }
        if let target { text += "\n    target \(target.description): \(target.met ? "met" : "MISSED")" }
        for note in notes { text += "\n    note: \(note)" }
        return text
    }
}

/// FNV-1a 64-bit over bytes: a stable, dependency-free checksum for comparing final states.
func fnv1a64<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
