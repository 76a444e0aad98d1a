import Foundation

/// Samples of one workload: a warm-up run, then `runs` timed runs, each timed by the wall clock
/// and by this process's CPU clock. Every workload is single-threaded, so CPU time equals wall time
/// on a quiet machine and stays honest on a busy one (where wall time also counts waiting for a core).
struct Measurement {
    /// Wall-clock seconds per timed run, in run order.
    var samples: [Double]
    /// Process CPU seconds per timed run, in run order.
    var cpuSamples: [Double] = []

    var cpuMedian: Double { Self.median(cpuSamples) }
    var cpuMin: Double { cpuSamples.min() ?? .nan }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    var median: Double { Self.median(samples) }

    var min: Double { samples.min() ?? .nan }

    /// Runs `body` once untimed (warm-up: page faults, lazy init), then `runs` times timed.
    /// `prepare` runs before each execution outside the timed region and hands `body` its input, so
    /// building fresh state (a new collection, a copy of a document) is never counted. `finish`
    /// runs after each execution, untimed, while its input is still alive (to checksum the result).
    static func run<Input>(
        runs: Int,
        prepare: () throws -> Input,
        finish: (inout Input) -> Void = { _ in },
        _ body: (inout Input) throws -> Void
    ) rethrows -> Measurement {
        var warm = try prepare()
        try body(&warm)
        finish(&warm)
        var samples: [Double] = [], cpu: [Double] = []
        for _ in 0..<runs {
            var input = try prepare()
            let cpuStart = cpuSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            try body(&input)
            let end = DispatchTime.now().uptimeNanoseconds
            cpu.append(cpuSeconds() - cpuStart)
            samples.append(Double(end - start) / 1e9)
            finish(&input)
        }
        return Measurement(samples: samples, cpuSamples: cpu)
    }
}
