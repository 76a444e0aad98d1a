// The Python reference server (ReferenceServer/server.py) as a child process of a test.
public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Starts `ReferenceServer/server.py` on 127.0.0.1, waits for its `listening on` line, talks to its
/// admin API, and always kills it: end-to-end tests use a real, independent server and must never
/// leave one running (`deinit` kills a server the test forgot to stop).
///
/// Restarting "the same server" (kill, then start on the same port with the same `--db`) is how tests
/// prove that a crash loses and duplicates nothing.
public final class ReferenceServerProcess: @unchecked Sendable {
    /// Why a server could not be started or queried.
    public enum ServerError: Error, CustomStringConvertible {
        case noPython
        case didNotStart(String)
        case admin(String)

        public var description: String {
            switch self {
            case .noPython: return "no test Python: set TETHER_PYTHON (a python3 with aiohttp and websockets)"
            case .didNotStart(let detail): return "the reference server did not start: \(detail)"
            case .admin(let detail): return "reference server admin request failed: \(detail)"
            }
        }
    }

    /// The port it listens on (chosen by the kernel unless given).
    public let port: Int
    /// The SQLite log, when the server persists (`--db`).
    public let database: URL?
    /// The arguments it was started with beyond host, port and database.
    public let extraArguments: [String]
    private let process: Process
    private let log: URL
    private let lock = NSLock()

    /// The server's base URL, as `tether agent --server` takes it.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `ReferenceServer/server.py` inside the package.
    public static var script: URL {
        FixturePaths.packageRoot.appendingPathComponent("ReferenceServer/server.py")
    }

    private init(process: Process, port: Int, database: URL?, extraArguments: [String], log: URL) {
        self.process = process
        self.port = port
        self.database = database
        self.extraArguments = extraArguments
        self.log = log
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: log)
    }

    /// Starts a server and returns once it accepts connections.
    ///
    /// - Parameters:
    ///   - port: The port to bind; `nil` lets the kernel pick a free one.
    ///   - database: The SQLite file for the persistent log (`nil`: in memory).
    ///   - arguments: More server options (`--heartbeat 1000`, `--faults ...`).
    ///   - timeout: How long to wait for the `listening on` line.
    public static func start(
        port: Int? = nil, database: URL? = nil, arguments: [String] = [], timeout: Duration = .seconds(15)
    ) async throws -> ReferenceServerProcess {
        guard let python = FixturePaths.python else { throw ServerError.noPython }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        var args = [script.path, "--host", "127.0.0.1", "--port", String(port ?? 0)]
        if let database { args += ["--db", database.path] }
        process.arguments = args + arguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tether-refserver-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice

        let waiter = LineWaiter()
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                waiter.finish(.failure(ServerError.didNotStart("its output ended")))
            } else {
                waiter.append(data)
            }
        }
        process.terminationHandler = { process in
            waiter.finish(.failure(ServerError.didNotStart("it exited with status \(process.terminationStatus)")))
        }
        try process.run()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            waiter.finish(.failure(ServerError.didNotStart("no `listening on` line within \(timeout)")))
        }
        defer { timer.cancel() }
        let result = await waiter.result()
        stdout.fileHandleForReading.readabilityHandler = nil
        switch result {
        case .success(let boundPort):
            process.terminationHandler = nil
            return ReferenceServerProcess(
                process: process, port: boundPort, database: database, extraArguments: arguments, log: log)
        case .failure(let error):
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: log)
            throw ServerError.didNotStart("\(error); stderr: \(stderr.suffix(2000))")
        }
    }

    /// Starts a new server process on the same port and database (after ``kill()`` or ``stop()``).
    public func restarted(arguments: [String]? = nil) async throws -> ReferenceServerProcess {
        try await Self.start(port: port, database: database, arguments: arguments ?? extraArguments)
    }

    /// Whether the process is still running.
    public var isRunning: Bool { lock.withLock { process.isRunning } }

    /// Kills the server at once (SIGKILL: a crash, no goodbye frames) and waits for it to exit.
    public func kill() {
        lock.withLock { process.killAndWait() }
    }

    /// Stops the server gracefully (SIGTERM: it sends `close going-away` and checkpoints), killing it if
    /// it has not exited within `grace`.
    public func stop(grace: Duration = .seconds(5)) async {
        guard isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill()
    }

    /// What the server wrote on stderr so far (tracebacks, for failure messages).
    public var standardError: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    // MARK: - Admin API

    /// One admin request; returns the status and body.
    public func admin(_ method: String, _ path: String, body: String? = nil, timeout: TimeInterval = 10) async throws -> (status: Int, body: String) {
        guard let url = URL(string: baseURL + path) else { throw ServerError.admin("bad path \(path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: ServerError.admin("\(method) \(path): \(error.localizedDescription)"))
                } else {
                    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                    continuation.resume(returning: (status, String(decoding: data ?? Data(), as: UTF8.self)))
                }
            }.resume()
        }
    }

    /// An admin request that must answer 200; returns its body.
    @discardableResult
    public func adminOK(_ method: String, _ path: String, body: String? = nil) async throws -> String {
        let (status, text) = try await admin(method, path, body: body)
        guard status == 200 else { throw ServerError.admin("\(method) \(path) answered \(status): \(text)") }
        return text
    }

    /// The canonical state of a collection (sorted keys, compact), as the server serializes it.
    public func state(_ collection: String) async throws -> String {
        try await adminOK("GET", "/admin/state?collection=\(collection)")
    }

    /// Replaces a collection's state (`stateJSON`: an object of model objects) as one server patch.
    public func seed(_ collection: String, stateJSON: String) async throws {
        try await adminOK("POST", "/admin/seed", body: #"{"collection":"\#(collection)","state":\#(stateJSON)}"#)
    }

    /// Applies a plain RFC 6902 patch on the server side.
    public func patch(_ collection: String, opsJSON: String) async throws {
        try await adminOK("POST", "/admin/patch", body: #"{"collection":"\#(collection)","ops":\#(opsJSON)}"#)
    }

    /// Simulates a server that lost its history: a new epoch, every connection closed.
    public func restartWithNewEpoch(_ epoch: String? = nil, retryAfterMilliseconds: Int = 100) async throws {
        let epochJSON = epoch.map { #""epoch":"\#($0)","# } ?? ""
        try await adminOK("POST", "/admin/restart", body: "{\(epochJSON)\"retryAfter\":\(retryAfterMilliseconds)}")
    }

    /// Ends every live connection (`abrupt`: without a `close` frame).
    public func disconnectAll(abrupt: Bool = false, retryAfterMilliseconds: Int = 100) async throws {
        try await adminOK("POST", "/admin/disconnect", body: #"{"abrupt":\#(abrupt),"retryAfter":\#(retryAfterMilliseconds)}"#)
    }
}

/// Collects the server's stdout until the `listening on http://127.0.0.1:PORT` line, then hands over
/// the port exactly once (the first of: the line, the end of output, the process exit, the timeout).
private final class LineWaiter: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var outcome: Result<Int, any Error>?
    private var continuation: CheckedContinuation<Result<Int, any Error>, Never>?

    func append(_ data: Data) {
        let port: Int? = lock.withLock {
            buffer.append(data)
            let text = String(decoding: buffer, as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("listening on http://") {
                if let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                    return port
                }
            }
            if buffer.count > 1 << 16 { buffer.removeAll() }
            return nil
        }
        if let port { finish(.success(port)) }
    }

    func finish(_ result: Result<Int, any Error>) {
        let waiting: CheckedContinuation<Result<Int, any Error>, Never>? = lock.withLock {
            guard outcome == nil else { return nil }
            outcome = result
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: result)
    }

    func result() async -> Result<Int, any Error> {
        await withCheckedContinuation { continuation in
            let ready: Result<Int, any Error>? = lock.withLock {
                if let outcome { return outcome }
                self.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
