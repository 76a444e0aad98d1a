// Locates the package's Fixtures/ folder and the test-peer Python interpreter from any test target.
public import Foundation

/// Paths to bundled test data and tools, resolved from this source file's location so that tests
/// work from any working directory (SwiftPM, Xcode, a fresh clone in CI).
public enum FixturePaths {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // FixturePaths.swift → TetherTestSupport → Tests → root
        return url
    }()

    /// `Fixtures/` inside the package.
    public static var fixtures: URL { packageRoot.appendingPathComponent("Fixtures") }

    /// A file or folder under `Fixtures/conformance/` (a copy of the public conformance suites).
    public static func conformance(_ relativePath: String) -> URL {
        fixtures.appendingPathComponent("conformance").appendingPathComponent(relativePath)
    }

    /// A file or folder under `Fixtures/`.
    public static func fixture(_ relativePath: String) -> URL {
        fixtures.appendingPathComponent(relativePath)
    }

    /// The Python interpreter that has the test peers' packages (`websockets`, `aiohttp`):
    /// `$TETHER_PYTHON`, else the project's `.venv`, else `nil` (tests that need it are skipped
    /// with a message, and `scripts/test.sh` always provides it).
    public static var python: String? {
        if let env = ProcessInfo.processInfo.environment["TETHER_PYTHON"], !env.isEmpty { return env }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    /// Reads a fixture file's bytes, failing the test with a clear message when it is missing.
    public static func data(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw FixtureError.missing(url.path)
        }
    }
}

public enum FixtureError: Error, CustomStringConvertible {
    case missing(String)
    public var description: String {
        switch self {
        case .missing(let path): return "fixture not found: \(path)"
        }
    }
}
