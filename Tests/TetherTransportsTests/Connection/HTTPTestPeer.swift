import Foundation
import TetherTestSupport
import TetherTransports
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `Tests/peers/http_peer.py` running on a free 127.0.0.1 port for one test; stopped by ``stop()``
/// (and when the test process exits, because the peer quits when its stdin closes).
final class HTTPTestPeer: @unchecked Sendable {
    /// One request (or peer-side disconnect, `method == "DISCONNECT"`) as the peer logged it.
    struct Record: Decodable, Sendable {
        var method: String
        var path: String
        var query: [[String]]?
        var authorization: String?
        var lastEventId: String?
        var accept: String?
        var contentType: String?
        var t: Double
        var status: Int?
        var returned: Int?
        var done: Double?
        /// The client's TCP port: equal ports mean one reused connection.
        var peerPort: Int?

        func query(_ name: String) -> [String] { (query ?? []).filter { $0.first == name }.map { $0[1] } }
    }

    let port: Int
    private let process: Process
    private let stdin: Pipe

    /// True when the peer serves HTTPS (started with `--cert` and `--key`).
    let secure: Bool

    private init(process: Process, stdin: Pipe, port: Int, secure: Bool) {
        self.process = process
        self.stdin = stdin
        self.port = port
        self.secure = secure
    }

    deinit { stop() }

    /// Starts the peer, or returns `nil` (after recording why) when no test Python is configured.
    static func start(arguments: [String] = []) throws -> HTTPTestPeer? {
        guard let python = FixturePaths.python else {
            print("skipping: no test Python (set TETHER_PYTHON, e.g. /work/venv/bin/python3)")
            return nil
        }
        let script = FixturePaths.packageRoot.appendingPathComponent("Tests/peers/http_peer.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--host", "127.0.0.1", "--port", "0"] + arguments
        let stdout = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()
        // Read the "PORT n" line on a helper thread so a silent peer cannot hang the test.
        let line = ConnectionBox<String?>(nil)
        let ready = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var bytes: [UInt8] = []
            while true {
                let data = stdout.fileHandleForReading.readData(ofLength: 1)
                guard let byte = data.first, byte != 0x0A else { break }
                bytes.append(byte)
            }
            line.value = String(decoding: bytes, as: UTF8.self)
            ready.signal()
        }
        guard ready.wait(timeout: .now() + 15) == .success, let text = line.value, text.hasPrefix("PORT "),
            let port = Int(text.dropFirst(5))
        else {
            process.terminate()
            throw PeerError.didNotStart(line.value ?? "no output")
        }
        return HTTPTestPeer(process: process, stdin: stdin, port: port, secure: arguments.contains("--cert"))
    }

    /// The base URL selecting peer behaviour by `options` (see the peer's docstring).
    func baseURL(_ options: String, host: String = "127.0.0.1") -> URL {
        URL(string: "\(secure ? "https" : "http")://\(host):\(port)/\(options)")!
    }

    /// Every request the peer saw so far.
    func requests() async throws -> [Record] {
        try JSONDecoder().decode([Record].self, from: await control("requests"))
    }

    /// The frame data strings a `chunked` stream sent.
    func sentFrames() async throws -> [String] {
        try JSONDecoder().decode([String].self, from: await control("sent"))
    }

    /// Polls the request log until `predicate` holds or `timeout` passes.
    func waitForRequests(timeout: Duration = .seconds(5), _ predicate: ([Record]) -> Bool) async throws -> [Record] {
        let deadline = ContinuousClock.now + timeout
        var records = try await requests()
        while !predicate(records), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            records = try await requests()
        }
        return records
    }

    private func control(_ name: String) async throws -> Data {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/control/\(name)")!)
        request.timeoutInterval = 5
        let (data, _) = try await URLSession.shared.data(for: request)
        return data
    }

    func stop() {
        guard process.isRunning else { return }
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    enum PeerError: Error {
        case didNotStart(String)
    }
}

/// A lock-protected value for test helpers.
final class ConnectionBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// Consumes a connection's `inbound` in the background so tests can wait for conditions with a deadline.
final class InboundRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var batches: [[[UInt8]]] = []
    private var reason: TransportCloseReason?
    private var ended = false
    private var endTime: ContinuousClock.Instant?
    private var consumer: Task<Void, Never>?

    init(_ connection: any TransportConnection) {
        consumer = Task { [connection] in
            for await item in connection.inbound {
                switch item {
                case .frames(let frames): self.lock.withLock { self.batches.append(frames) }
                case .closed(let reason): self.lock.withLock { self.reason = reason }
                }
            }
            self.lock.withLock {
                self.ended = true
                self.endTime = .now
            }
        }
    }

    var frames: [[UInt8]] { lock.withLock { batches.flatMap { $0 } } }
    var frameStrings: [String] { frames.map { String(decoding: $0, as: UTF8.self) } }
    var batchCount: Int { lock.withLock { batches.count } }
    var closeReason: TransportCloseReason? { lock.withLock { reason } }
    /// When the stream finished, if it did.
    var finishedAt: ContinuousClock.Instant? { lock.withLock { endTime } }

    /// JSON objects of the frames received so far.
    var objects: [[String: Any]] {
        frames.compactMap { (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any] }
    }

    /// The seq of every patch received so far, in order.
    var patchSeqs: [Int] {
        objects.filter { $0["type"] as? String == "patch" }.compactMap { $0["seq"] as? Int }
    }

    /// Waits until `predicate` holds or `timeout` passes; returns whether it held.
    @discardableResult
    func wait(timeout: Duration = .seconds(5), until predicate: (InboundRecorder) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !predicate(self) {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    func waitForFinish(timeout: Duration = .seconds(5)) async -> Bool {
        await wait(timeout: timeout) { $0.finishedAt != nil }
    }

    func cancel() { consumer?.cancel() }
}

/// A handshake for the peer's `todos` collection.
func todosHandshake(client: String = "c1", cursor: StreamCursor? = nil, token: String? = nil) -> TransportHandshake {
    TransportHandshake(clientID: client, subscriptions: [("todos", cursor)], token: token, hello: [])
}

/// Frames for `send`: each a small JSON object.
func mutateFrames(_ ids: ClosedRange<Int>, client: String = "c1") -> [[UInt8]] {
    ids.map { Array(#"{"type":"mutate","collection":"todos","client":"\#(client)","mutation":\#($0),"ops":[]}"#.utf8) }
}
