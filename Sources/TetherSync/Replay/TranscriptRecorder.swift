public import Foundation

/// Wraps any ``Transport`` and writes everything that crosses it as a ``Transcript`` (`.jsonl`):
/// connects, the frames sent and received, the time between them, and disconnects. Replaying the
/// file with ``ReplayTransport`` reproduces the session without the server.
///
/// Lines are handed to `sink` as they happen (nothing accumulates in memory). Local application
/// writes are not visible at the transport level: the recording shows their `mutate` frames, and a
/// replay of it needs the matching `local` steps added by hand (Fixtures/README.md).
public final class TranscriptRecorder: Transport {
    public let base: any Transport
    public var kind: TransportKind { base.kind }
    public var answersPings: Bool { base.answersPings }

    private let clock: any SyncClock
    private let title: String
    private let sink: @Sendable ([UInt8]) -> Void
    private let last = Locked<(headerWritten: Bool, time: UInt64?)>((false, nil))

    /// - Parameters:
    ///   - sink: receives each transcript line, newline included, in order.
    public init(
        wrapping base: any Transport,
        clock: any SyncClock = SystemSyncClock(),
        title: String = "",
        sink: @escaping @Sendable ([UInt8]) -> Void
    ) {
        self.base = base
        self.clock = clock
        self.title = title
        self.sink = sink
    }

    /// A recorder that appends to the file at `url` (created or truncated).
    public static func recording(
        _ base: any Transport, to url: URL, title: String = ""
    ) throws -> TranscriptRecorder {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        let file = Locked(handle)
        return TranscriptRecorder(wrapping: base, title: title) { line in
            file.withLock { $0.write(Data(line)) }
        }
    }

    public func connect(_ handshake: TransportHandshake) async throws(TransportError) -> any TransportConnection {
        let header = Transcript.Header(
            client: handshake.clientID,
            collections: handshake.subscriptions.map(\.collection),
            clock: clock.now(),
            title: title,
            transport: base.kind
        )
        last.withLock { state in
            if !state.headerWritten { emitLine(header.json) }
            state.headerWritten = true
        }
        do {
            let connection = try await base.connect(handshake)
            record(.connect(fail: nil))
            if let hello = try? JSON(parsing: handshake.hello) { record(.out(hello)) }
            return RecordingConnection(base: connection, recorder: self)
        } catch {
            record(.connect(fail: "\(error)"))
            throw error
        }
    }

    /// Writes one entry, preceded by a `delay` entry when time has passed since the previous one.
    func record(_ entry: TranscriptEntry) {
        // One critical section, so that a delay line and its entry are never split by another thread's.
        last.withLock { state in
            let now = clock.now()
            if let previous = state.time, now > previous {
                emitLine(TranscriptEntry.delay(milliseconds: now - previous).json)
            }
            state.time = now
            emitLine(entry.json)
        }
    }

    private func emitLine(_ json: JSON) {
        var line = json.serializedBytes()
        line.append(UInt8(ascii: "\n"))
        sink(line)
    }
}

/// A connection whose traffic is recorded.
final class RecordingConnection: TransportConnection {
    let base: any TransportConnection
    let recorder: TranscriptRecorder
    let inbound: AsyncStream<TransportInbound>

    init(base: any TransportConnection, recorder: TranscriptRecorder) {
        self.base = base
        self.recorder = recorder
        let source = base.inbound
        inbound = AsyncStream { continuation in
            let pump = Task {
                for await element in source {
                    switch element {
                    case .frames(let texts): recorder.record(.in(texts))
                    case .closed(let reason): recorder.record(.disconnect(reason))
                    }
                    continuation.yield(element)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in pump.cancel() }
        }
    }

    func send(_ frames: [[UInt8]]) async throws(TransportError) {
        try await base.send(frames)
        for frame in frames {
            if let json = try? JSON(parsing: frame) { recorder.record(.out(json)) }
        }
    }

    func close() async { await base.close() }
}
