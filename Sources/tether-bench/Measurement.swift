import Foundation

/// Wall-clock samples of one workload: a warm-up run, then `runs` timed runs.
struct Measurement {
    /// Seconds per timed run, in run order.
    var samples: [Double]

    var median: Double {
        let sorted = samples.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    var min: Double { samples.min() ?? .nan }

    /// Runs `body` once untimed (warm-up: page faults, lazy init), then `runs` times timed.
    /// `prepare` runs before each execution outside the timed region and hands `body` its input, so
    /// building fresh state (a new collection, a copy of a document) is never counted.
    static func run<Input>(
        runs: Int,
        prepare: () throws -> Input,
        _ body: (inout Input) throws -> Void
    ) rethrows -> Measurement {
        var warm = try prepare()
        try body(&warm)
        var samples: [Double] = []
        samples.reserveCapacity(runs)
        for _ in 0..<runs {
            var input = try prepare()
            let start = DispatchTime.now().uptimeNanoseconds
            try body(&input)
            let end = DispatchTime.now().uptimeNanoseconds
            samples.append(Double(end - start) / 1e9)
        }
        return Measurement(samples: samples)
    }
}
