import Foundation
import Testing
import TetherTestSupport
import TetherTransports

/// Runs Tests/peers/ws_peer.py on a free 127.0.0.1 port for one test and stops it afterwards.
final class WebSocketTestPeer: @unchecked Sendable {
    enum PeerError: Error, CustomStringConvertible {
        case noPython
        case didNotStart(String)
        case badVerdict(String)
        var description: String {
            switch self {
            case .noPython: return "no test Python (set TETHER_PYTHON=/path/to/venv/bin/python3 with `websockets`)"
            case .didNotStart(let detail): return "ws_peer.py did not start: \(detail)"
            case .badVerdict(let detail): return "bad verdict: \(detail)"
            }
        }
    }

    static var isAvailable: Bool { FixturePaths.python != nil }
    static let skipMessage: Comment = "needs the test Python with `websockets` (set TETHER_PYTHON)"

    let port: Int
    private let process: Process
    private let input: Pipe

    /// Starts the peer; `arguments` are extra command-line options (for example `--cert`/`--key`).
    init(arguments: [String] = []) throws {
        guard let python = FixturePaths.python else { throw PeerError.noPython }
        let script = FixturePaths.packageRoot.appendingPathComponent("Tests/peers/ws_peer.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--host", "127.0.0.1", "--port", "0"] + arguments
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first stdout line is "READY <port>"; wait for it at most 15 s.
        let reader = output.fileHandleForReading
        let line = LockedLine()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var bytes: [UInt8] = []
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                bytes += chunk
                if bytes.contains(10) { break }
            }
            line.set(String(decoding: bytes, as: UTF8.self))
            done.signal()
        }
        guard done.wait(timeout: .now() + 15) == .success,
              let text = line.get(), text.hasPrefix("READY "),
              let port = Int(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            process.waitUntilExit()
            throw PeerError.didNotStart(line.get() ?? "no output within 15 s")
        }
        self.port = port
    }

    var url: String { "ws://127.0.0.1:\(port)" }

    /// Stops the peer (closing its stdin ends it; terminate in case it hangs).
    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// The peer's verdict on a finished case connection.
    func verdict(_ id: String) async throws -> (pass: Bool, detail: String) {
        let client = try await WebSocketClient.connect(to: "\(url)/verdict/\(id)")
        var body: String?
        for await message in client.messages {
            if case .text(let text) = message, body == nil { body = text }
        }
        guard let body, let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let pass = object["pass"] as? Bool
        else { throw PeerError.badVerdict(body ?? "none") }
        return (pass, object["detail"] as? String ?? "")
    }
}

private final class LockedLine: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?
    func set(_ text: String) { lock.lock(); value = text; lock.unlock() }
    func get() -> String? { lock.lock(); defer { lock.unlock() }; return value }
}

/// Runs `operation`, cancelling it and returning nil after `seconds`.
func withDeadline<T: Sendable>(_ seconds: Double, _ operation: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// The echo testee: echoes every message until the connection ends; returns how it ended.
func runEchoTestee(_ url: String, options: WebSocketOptions) async -> Result<WebSocketCloseInfo, WebSocketError> {
    let client: WebSocketClient
    do {
        client = try await WebSocketClient.connect(to: url, options: options)
    } catch {
        return .failure(error)
    }
    for await message in client.messages {
        switch message {
        case .text(let text): try? await client.send(text: text)
        case .binary(let bytes): try? await client.send(binary: bytes)
        }
    }
    guard let info = client.closeInfo else { return .failure(.closed) }
    return .success(info)
}
