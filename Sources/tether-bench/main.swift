// tether-bench: Tether's benchmark on the shared deterministic workloads.
//
//   swift run -c release tether-bench [--workloads DIR] [--json] [--runs N] [--only NAME,...]
//
// DIR holds the files written by `python3 ../shared/bench/gen_workloads.py DIR` (the same work the
// Backbone.js and fast-json-patch peers run); without it, workloads of the same shape are generated.
// Workloads: w1 w2 w3 parse memory scale wire wire-loopback. See docs/PERFORMANCE.md.
import Foundation
import Tether

struct Options {
    var workloadsDirectory: String?
    var json = false
    var runs = 7
    var only: Set<String>?

    static let usage = """
        usage: tether-bench [--workloads DIR] [--json] [--runs N] [--only w1,w2,w3,parse,memory,scale,wire,wire-loopback]
        """

    init(arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--workloads": workloadsDirectory = iterator.next()
            case "--json": json = true
            case "--runs":
                guard let n = iterator.next().flatMap(Int.init), n > 0 else { throw UsageError() }
                runs = n
            case "--only":
                guard let list = iterator.next() else { throw UsageError() }
                only = Set(list.split(separator: ",").map(String.init))
            case "-h", "--help":
                print(Self.usage)
                exit(0)
            default: throw UsageError()
            }
        }
    }

    func wants(_ name: String) -> Bool { only?.contains(name) ?? true }
}

struct UsageError: Error {}

let options: Options
do { options = try Options(arguments: Array(CommandLine.arguments.dropFirst())) } catch {
    FileHandle.standardError.write(Data((Options.usage + "\n").utf8))
    exit(2)
}

func report(_ result: BenchmarkResult) {
    if options.json {
        print(result.json().serialized())
    } else {
        print(result.humanReadable())
    }
}

let workloads: Workloads
do {
    if let directory = options.workloadsDirectory {
        workloads = try Workloads.load(from: directory)
    } else {
        workloads = Workloads.generate()
    }
} catch {
    FileHandle.standardError.write(Data("tether-bench: \(error)\n".utf8))
    exit(2)
}
if !options.json {
    #if DEBUG
    print("warning: debug build; run with -c release for meaningful numbers")
    #endif
    print("workloads: \(workloads.source); \(options.runs) timed runs after one warm-up; \(ProcessInfo.processInfo.activeProcessorCount) cores")
}

do {
    if options.wants("w1") { report(try CollectionSetBenchmark.run(workloads.w1, runs: options.runs)) }
    if options.wants("w2") { report(ModelSetBenchmark.run(workloads.w2, runs: options.runs)) }
    if options.wants("w3") { report(try PatchStreamBenchmark.run(workloads.w3, runs: options.runs)) }
    if options.wants("parse") { try ParseBenchmark.run(bytes: workloads.w1Bytes, runs: options.runs).forEach(report) }
    if options.wants("memory") { try MemoryBenchmark.run().forEach(report) }
    if options.wants("scale") { try ScaleBenchmark.run(runs: max(3, options.runs / 2)).forEach(report) }
    if options.wants("wire") { try await WireBenchmark.run().forEach(report) }
    if options.wants("wire-loopback") { await WireLoopbackBenchmark.run().forEach(report) }
} catch {
    FileHandle.standardError.write(Data("tether-bench: \(error)\n".utf8))
    exit(1)
}
