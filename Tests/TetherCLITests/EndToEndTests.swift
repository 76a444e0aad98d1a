import Foundation
import Testing
import TetherTestSupport

/// End-to-end: the built `tether agent` and `tether push` against the Python reference server on
/// 127.0.0.1, over each transport. Every wait is bounded, every child process is killed at the end.
///
/// The suites are serialized: each starts real processes, and the machine has few cores.
@Suite(.serialized) struct EndToEndTests {
    /// The transports every scenario runs over.
    static let transports = ["websocket", "sse", "longpoll"]

    /// Starts a reference server, or returns `nil` (test skipped with a message) without Python.
    static func startServer(
        database: URL? = nil, arguments: [String] = ["--heartbeat", "2000"]
    ) async throws -> ReferenceServerProcess? {
        guard FixturePaths.python != nil else {
            print("skipped: no test Python (set TETHER_PYTHON to a python3 with aiohttp)")
            return nil
        }
        return try await ReferenceServerProcess.start(database: database, arguments: arguments)
    }

    /// A running `tether` child: its stdout lines collected live, killed when released.
    final class Child: @unchecked Sendable {
        let arguments: [String]
        private let process = Process()
        private let lock = NSLock()
        private var outBuffer = Data()
        private var errBuffer = Data()

        init(_ arguments: [String]) throws {
            self.arguments = arguments
            process.executableURL = TetherProcess.executable
            process.arguments = arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            out.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                if data.isEmpty { handle.readabilityHandler = nil } else { self?.lock.withLock { self?.outBuffer.append(data) } }
            }
            err.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                if data.isEmpty { handle.readabilityHandler = nil } else { self?.lock.withLock { self?.errBuffer.append(data) } }
            }
            try process.run()
        }

        deinit { kill() }

        var stdout: String { lock.withLock { String(decoding: outBuffer, as: UTF8.self) } }
        var stderr: String { lock.withLock { String(decoding: errBuffer, as: UTF8.self) } }
        var isRunning: Bool { process.isRunning }

        /// Complete stdout lines so far.
        var lines: [String] {
            let text = stdout
            var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
            return lines
        }

        /// The NDJSON events printed so far (lines with an `"event"` member).
        var events: [[String: Any]] {
            lines.compactMap { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      object["event"] is String else { return nil }
                return object
            }
        }

        /// Events named `name` (and, when given, about collection model `id`).
        func events(_ name: String, id: String? = nil) -> [[String: Any]] {
            events.filter { $0["event"] as? String == name && (id == nil || $0["id"] as? String == id) }
        }

        /// Waits until `condition` holds on this child, or `timeout` passes; returns whether it held.
        @discardableResult
        func wait(timeout: Duration = .seconds(30), until condition: (Child) -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if condition(self) { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return condition(self)
        }

        /// Waits for the process to exit (killing it after `timeout`); returns its status.
        func exit(timeout: Duration = .seconds(60)) async -> Int32 {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning { kill() }
            process.waitUntilExit()
            // Let the pipe handlers drain what the process wrote last.
            for _ in 0..<40 {
                try? await Task.sleep(for: .milliseconds(25))
                if stdout.isEmpty || stdout.hasSuffix("\n") { break }
            }
            return process.terminationStatus
        }

        /// The last stdout line parsed as the agent's final state document, `nil` if there is none.
        var finalState: String? {
            guard let last = lines.last, last.hasPrefix("{"), !last.contains(#""event":"#) else { return nil }
            return last
        }

        /// What to show when an expectation about this child fails: its stderr and last stdout lines.
        var diagnostics: String {
            "stderr: \(stderr)\nlast stdout lines:\n" + lines.suffix(8).joined(separator: "\n")
        }

        /// Asks the process to stop (SIGTERM: an agent saves its state and exits 0).
        func terminate() { if process.isRunning { process.terminate() } }

        func kill() { process.killAndWait() }
    }

    /// `tether agent` arguments for `server`.
    static func agent(
        _ server: ReferenceServerProcess, transport: String, collections: [String] = ["todos"],
        idle: Double = 2, extra: [String] = []
    ) -> [String] {
        var arguments = ["agent", "--server", server.baseURL, "--transport", transport, "--events", "--until-idle", String(idle)]
        for name in collections { arguments += ["--collection", name] }
        return arguments + extra
    }

    /// Runs `tether push` with a patch given as JSON text; returns status and output.
    static func push(
        _ server: ReferenceServerProcess, transport: String, collection: String = "todos", patch: String,
        extra: [String] = [], timeout: Duration = .seconds(60)
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tether-push-\(UUID().uuidString).json")
        try Data(patch.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let child = try Child(
            ["push", "--server", server.baseURL, "--collection", collection, "--patch", file.path, "--transport", transport] + extra)
        let status = await child.exit(timeout: timeout)
        return (status, child.stdout, child.stderr)
    }

    /// The `{"<collection>": <state>}` document an agent prints, built from the server's canonical state.
    static func expectedState(_ server: ReferenceServerProcess, _ collections: [String] = ["todos"]) async throws -> String {
        var parts: [String] = []
        for name in collections.sorted() { parts.append("\"\(name)\":" + (try await server.state(name))) }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// A model object as JSON text: `{"id":"<id>","n":<n>,"title":"<title>"}`.
    static func model(_ id: String, n: Int, title: String = "item") -> String {
        #"{"id":"\#(id)","n":\#(n),"title":"\#(title)"}"#
    }

    /// A collection state of `count` models `m000 ... m<count-1>`.
    static func seedState(count: Int) -> String {
        "{" + (0..<count).map { i in
            let id = String(format: "m%03d", i)
            return "\"\(id)\":" + model(id, n: i)
        }.joined(separator: ",") + "}"
    }

    /// A scratch folder, removed at the end of the test.
    final class Scratch {
        let folder: URL
        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("tether-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        func url(_ name: String) -> URL { folder.appendingPathComponent(name) }
        deinit { try? FileManager.default.removeItem(at: folder) }
    }
}
