import Foundation
import Tether

/// wire: frames from bytes-in to events-out through a `RealtimeBinder`, with an in-process
/// transport (no network): the binder parses each frame, checks its cursor, applies the patch to
/// the collection's state and fires the model events.
///
/// - Throughput: `frames` patch frames handed over in batches of 100 (as socket reads deliver
///   them), timed from the first hand-over to the last `change` event.
/// - Latency: `latencyFrames` frames handed over one at a time, each waiting for its own
///   `change:priority` event before the next; p50/p99 of hand-over → event.
///
/// Both plain (RFC 6902, atomic) and versioned (stamped, merged) patches are measured.
@MainActor
enum WireBenchmark {
    static func run(models: Int = 1_000, frames: Int = 20_000, latencyFrames: Int = 2_000) async throws -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        for versioned in [false, true] {
            results.append(try await measure(models: models, frames: frames, latencyFrames: latencyFrames, versioned: versioned))
        }
        return results
    }

    private static func measure(models: Int, frames: Int, latencyFrames: Int, versioned: Bool) async throws -> BenchmarkResult {
        let transport = InProcessTransport()
        let binder = try RealtimeBinder(options: .init(clientID: "bench"))
        let collection = SyncCollection()
        binder.bind(collection, as: "todos")
        binder.attach(transport)

        // Frame bytes are prepared up front: the measurement starts at the bytes.
        var generator = WorkloadGenerator(seed: 99)
        var state = JSONObject()
        for i in 0..<models { state["m\(i)"] = .object(generator.model(i)) }
        let snapshot: JSON = ["type": "snapshot", "collection": "todos", "epoch": "e1", "seq": 0, "state": .object(state)]
        let total = frames + latencyFrames
        let patches: [[UInt8]] = (1...total).map { seq in
            var op: JSONObject = ["op": "replace", "path": .string("/m\(seq % models)/priority"), "value": .int(Int64(seq))]
            if versioned { op["stamp"] = .string("00\(1_700_000_000_000 + seq)-000000-server") }
            let frame: JSON = ["type": "patch", "collection": "todos", "epoch": "e1", "seq": .int(Int64(seq)), "ops": [.object(op)]]
            return frame.serializedBytes()
        }

        var received = 0
        var waiter: CheckedContinuation<Void, Never>?
        var target = 0
        _ = collection.on("change:priority") { _ in
            received += 1
            if received == target, let w = waiter {
                waiter = nil
                w.resume()
            }
        }
        func waitFor(_ count: Int) async {
            if received >= count { return }
            target = count
            await withCheckedContinuation { waiter = $0 }
        }

        var added = 0
        var snapshotIn: CheckedContinuation<Void, Never>?
        _ = collection.on("add") { _ in
            added += 1
            if added == models, let w = snapshotIn {
                snapshotIn = nil
                w.resume()
            }
        }
        let runner = Task { await binder.run() }
        transport.deliver([snapshot.serializedBytes()])
        if added < models { await withCheckedContinuation { snapshotIn = $0 } }

        let cpuStart = Measurement.cpuSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        for batchStart in stride(from: 0, to: frames, by: 100) {
            transport.deliver(Array(patches[batchStart..<min(batchStart + 100, frames)]))
        }
        await waitFor(frames)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = Measurement.cpuSeconds() - cpuStart

        var latencies: [Double] = []
        latencies.reserveCapacity(latencyFrames)
        for i in frames..<total {
            let sent = DispatchTime.now().uptimeNanoseconds
            transport.deliver([patches[i]])
            await waitFor(i + 1)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - sent) / 1e3)
        }
        latencies.sort()
        let finalRev = collection.get(.string("m\((total) % models)"))?.get("priority")

        binder.destroy()
        transport.finish()
        await runner.value

        var result = BenchmarkResult(
            name: versioned ? "wire in-process versioned" : "wire in-process plain",
            measurement: Measurement(samples: [seconds], cpuSamples: [cpu])
        )
        result.counters = [
            ("models", .int(Int64(models))),
            ("frames", .int(Int64(frames))),
            ("frames_per_s", .int(Int64(Double(frames) / seconds))),
            ("latency_p50_us", .double((latencies[latencies.count / 2] * 10).rounded() / 10)),
            ("latency_p99_us", .double((latencies[latencies.count * 99 / 100] * 10).rounded() / 10)),
            ("change_events", .int(Int64(received))),
        ]
        result.checksum = fnv1a64((finalRev ?? .null).serializedBytes())
        result.notes = ["loopback figures per transport: --only wire-loopback (starts the reference server)"]
        return result
    }
}

/// A transport whose frames are handed over by the benchmark itself (no sockets), so the figure is
/// the binder's own cost: parse, cursor check, apply, events.
private final class InProcessTransport: Transport {
    let kind = TransportKind.replay
    private let stream: AsyncStream<TransportInbound>
    private let continuation: AsyncStream<TransportInbound>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded) }

    func deliver(_ frames: [[UInt8]]) { continuation.yield(.frames(frames)) }
    func finish() {
        continuation.yield(.closed(TransportCloseReason(code: "normal")))
        continuation.finish()
    }

    func connect(_ handshake: TransportHandshake) async throws(TransportError) -> any TransportConnection {
        Connection(inbound: stream, transport: self)
    }

    private struct Connection: TransportConnection {
        let inbound: AsyncStream<TransportInbound>
        let transport: InProcessTransport
        func send(_ frames: [[UInt8]]) async throws(TransportError) {}
        func close() async { transport.finish() }
    }
}
