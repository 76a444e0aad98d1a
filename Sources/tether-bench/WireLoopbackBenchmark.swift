import Foundation
import Tether
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// wire-loopback: the same binder as `wire`, fed by the Python reference server over 127.0.0.1 on
/// each transport (WebSocket, SSE, long polling), so the figure includes sockets, framing and the
/// server itself.
///
/// - Throughput: `frames` plain patches (one `replace /m{k}/priority` op each, so one patch frame
///   each) POSTed to `/admin/patch` by `posters` concurrent clients, timed from the first POST to
///   the last `change:priority` event.
/// - Latency: `latencyFrames` patches one at a time, each waiting for its event; p50/p99 of
///   POST sent → event, which includes the admin HTTP request and the server's apply and fan-out.
///
/// Skipped (one row with a note) when no Python or no `ReferenceServer/server.py` in the current
/// directory; Python is `$TETHER_PYTHON`, else `./.venv/bin/python3`, else `python3` on `PATH`.
@MainActor
enum WireLoopbackBenchmark {
    static func run(models: Int = 1_000, frames: Int = 2_000, latencyFrames: Int = 300, posters: Int = 8) async -> [BenchmarkResult] {
        let script = FileManager.default.currentDirectoryPath + "/ReferenceServer/server.py"
        guard FileManager.default.fileExists(atPath: script) else {
            return [skipped("no ReferenceServer/server.py in the current directory (run from the package root)")]
        }
        guard let python = findPython() else {
            return [skipped("no Python: set TETHER_PYTHON to a python3 with aiohttp and websockets")]
        }
        let server: LoopbackServer
        do { server = try await LoopbackServer.start(python: python, script: script) } catch {
            return [skipped("reference server did not start: \(error)")]
        }
        defer { server.stop() }

        do {
            var state = JSONObject()
            for i in 0..<models {
                state["m\(i)"] = ["title": .string("model \(i)"), "priority": 0, "done": false]
            }
            let seed: JSON = ["collection": "todos", "state": .object(state)]
            try await server.admin("/admin/seed", body: seed.serializedBytes())
        } catch {
            return [skipped("seeding the reference server failed: \(error)")]
        }

        var results: [BenchmarkResult] = []
        let kinds: [(String, @MainActor (URL) -> any Transport)] = [
            ("websocket", { WebSocketTransport(baseURL: $0) }),
            ("sse", { ServerSentEventsTransport(configuration: HTTPTransportConfiguration(baseURL: $0)) }),
            ("long-polling", { LongPollingTransport(configuration: HTTPTransportConfiguration(baseURL: $0)) }),
        ]
        var valueBase = 1
        for (index, (name, make)) in kinds.enumerated() {
            let resultName = "wire loopback \(name)"
            do {
                results.append(try await measure(
                    name: resultName, transport: make(server.baseURL), server: server, models: models,
                    frames: frames, latencyFrames: latencyFrames, posters: posters,
                    valueBase: valueBase, clientID: "bench-\(index)"))
            } catch {
                var result = BenchmarkResult(name: resultName)
                result.notes = ["failed: \(error)"]
                results.append(result)
            }
            valueBase += frames + latencyFrames
        }
        return results
    }

    private static func skipped(_ why: String) -> BenchmarkResult {
        var result = BenchmarkResult(name: "wire loopback")
        result.notes = ["skipped: \(why)"]
        return result
    }

    private static func findPython() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let python = environment["TETHER_PYTHON"], !python.isEmpty { return python }
        let venv = FileManager.default.currentDirectoryPath + "/.venv/bin/python3"
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func measure(
        name: String, transport: any Transport, server: LoopbackServer, models: Int, frames: Int,
        latencyFrames: Int, posters: Int, valueBase: Int, clientID: String
    ) async throws -> BenchmarkResult {
        let binder = try RealtimeBinder(options: .init(clientID: clientID))
        let collection = SyncCollection()
        binder.bind(collection, as: "todos")
        binder.attach(transport)
        let counter = EventCounter()
        _ = collection.on("change:priority") { _ in counter.bump(\.changes) }
        _ = collection.on("add") { _ in counter.bump(\.adds) }

        let runner = Task { await binder.run(); counter.runnerFinished = true }
        defer {
            binder.destroy()
            runner.cancel()
        }

        guard await counter.wait(\.adds, atLeast: models, timeout: .seconds(30)) else {
            throw BenchError.timeout("snapshot: \(counter.adds) of \(models) adds within 30 s")
        }

        // Throughput: every patch a distinct value, so every patch fires one change:priority.
        let bodies: [[UInt8]] = (0..<(frames + latencyFrames)).map { k in
            let op: JSON = ["op": "replace", "path": .string("/m\(k % models)/priority"), "value": .int(Int64(valueBase + k))]
            let body: JSON = ["collection": "todos", "ops": [op]]
            return body.serializedBytes()
        }
        let base = counter.changes
        let cpuStart = Measurement.cpuSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        let throughputBodies = Array(bodies[0..<frames])
        let poster = Task.detached { [server] in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<posters {
                    group.addTask {
                        for k in stride(from: lane, to: throughputBodies.count, by: posters) {
                            try await server.admin("/admin/patch", body: throughputBodies[k])
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let arrived = await counter.wait(\.changes, atLeast: base + frames, timeout: .seconds(120))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = Measurement.cpuSeconds() - cpuStart
        try await poster.value
        guard arrived else {
            throw BenchError.timeout("throughput: \(counter.changes - base) of \(frames) change events within 120 s")
        }

        // Latency: one patch at a time, POST sent → its change:priority event.
        var latencies: [Double] = []
        latencies.reserveCapacity(latencyFrames)
        for k in frames..<(frames + latencyFrames) {
            let target = counter.changes + 1
            let body = bodies[k]
            let sent = DispatchTime.now().uptimeNanoseconds
            let post = Task.detached { [server] in try await server.admin("/admin/patch", body: body) }
            guard await counter.wait(\.changes, atLeast: target, timeout: .seconds(10)) else {
                throw BenchError.timeout("latency: no change event within 10 s for patch \(k)")
            }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - sent) / 1e3)
            try await post.value
        }
        latencies.sort()
        let last = frames + latencyFrames - 1
        let finalPriority = collection.get(.string("m\(last % models)"))?.get("priority") ?? .null

        binder.destroy()
        runner.cancel()
        _ = await counter.wait(\.runnerDone, atLeast: 1, timeout: .seconds(5))

        var result = BenchmarkResult(name: name, measurement: Measurement(samples: [seconds], cpuSamples: [cpu]))
        result.counters = [
            ("models", .int(Int64(models))),
            ("frames", .int(Int64(frames))),
            ("posters", .int(Int64(posters))),
            ("frames_per_s", .int(Int64(Double(frames) / seconds))),
            ("latency_frames", .int(Int64(latencyFrames))),
            ("latency_p50_us", .double((latencies[latencies.count / 2] * 10).rounded() / 10)),
            ("latency_p99_us", .double((latencies[latencies.count * 99 / 100] * 10).rounded() / 10)),
            ("change_events", .int(Int64(counter.changes - base))),
        ]
        result.checksum = fnv1a64(finalPriority.serializedBytes())
        result.notes = [
            "throughput is bounded by the Python server's /admin/patch rate (\(posters) concurrent POSTers), not only the client",
            "latency = admin HTTP POST sent -> change:priority event: includes the POST, the server's apply and fan-out, the transport and the binder",
        ]
        if (finalPriority.serializedBytes()) != JSON.int(Int64(valueBase + last)).serializedBytes() {
            result.notes.append("MISMATCH: final priority \(finalPriority.serialized()), expected \(valueBase + last)")
        }
        return result
    }
}

private enum BenchError: Error, CustomStringConvertible {
    case timeout(String)
    case server(String)

    var description: String {
        switch self {
        case .timeout(let detail): return "timed out: \(detail)"
        case .server(let detail): return detail
        }
    }
}

/// Event counts on the main actor, with one bounded waiter at a time.
@MainActor
private final class EventCounter {
    var adds = 0 { didSet { check() } }
    var changes = 0 { didSet { check() } }
    var runnerFinished = false { didSet { runnerDone = runnerFinished ? 1 : 0 } }
    var runnerDone = 0 { didSet { check() } }
    private var waiter: (key: KeyPath<EventCounter, Int>, target: Int, id: Int, continuation: CheckedContinuation<Bool, Never>)?
    private var nextID = 0

    func bump(_ key: ReferenceWritableKeyPath<EventCounter, Int>) { self[keyPath: key] += 1 }

    private func check() {
        guard let w = waiter, self[keyPath: w.key] >= w.target else { return }
        waiter = nil
        w.continuation.resume(returning: true)
    }

    /// Whether `key` reached `target` within `timeout`.
    func wait(_ key: KeyPath<EventCounter, Int>, atLeast target: Int, timeout: Duration) async -> Bool {
        if self[keyPath: key] >= target { return true }
        nextID += 1
        let id = nextID
        let timer = Task { @MainActor [weak self] in
            try? await Task.sleep(for: timeout)
            guard let self, let w = self.waiter, w.id == id else { return }
            self.waiter = nil
            w.continuation.resume(returning: false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { waiter = (key, target, id, $0) }
    }
}

/// The reference server as a child process: started on a kernel-picked port, admin requests over
/// URLSession, always stopped (SIGTERM, then SIGKILL after 3 s).
private final class LoopbackServer: @unchecked Sendable {
    let baseURL: URL
    private let process: Process

    private init(process: Process, port: Int) {
        self.process = process
        baseURL = URL(string: "http://127.0.0.1:\(port)")!
    }

    static func start(python: String, script: String) async throws -> LoopbackServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--host", "127.0.0.1", "--port", "0"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let lines = OutputBuffer()
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil } else { lines.append(data) }
        }
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let port = lines.port() {
                stdout.fileHandleForReading.readabilityHandler = nil
                return LoopbackServer(process: process, port: port)
            }
            if !process.isRunning { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        stdout.fileHandleForReading.readabilityHandler = nil
        let status = process.isRunning ? "no `listening on` line within 20 s" : "it exited with status \(process.terminationStatus)"
        Self.terminate(process)
        throw BenchError.server(status)
    }

    func stop() { Self.terminate(process) }

    private static func terminate(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { _ = kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// POSTs `body` to an admin endpoint; throws unless it answers 200.
    func admin(_ path: String, body: [UInt8]) async throws {
        var request = URLRequest(url: baseURL.appendingPathComponent(path), timeoutInterval: 10)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (status, text): (Int, String) = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: BenchError.server("POST \(path): \(error.localizedDescription)"))
                } else {
                    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                    continuation.resume(returning: (status, String(decoding: data ?? Data(), as: UTF8.self)))
                }
            }.resume()
        }
        guard status == 200 else { throw BenchError.server("POST \(path) answered \(status): \(text.prefix(300))") }
    }
}

/// The server's stdout so far, searched for `listening on http://127.0.0.1:PORT`.
private final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""

    func append(_ data: Data) {
        lock.withLock {
            text += String(decoding: data, as: UTF8.self)
            if text.utf8.count > 1 << 16 { text = String(text.suffix(4096)) }
        }
    }

    func port() -> Int? {
        lock.withLock {
            for line in text.split(separator: "\n") where line.hasPrefix("listening on http://") {
                if let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                    return port
                }
            }
            return nil
        }
    }
}
