import Foundation
import Testing
import TetherTestSupport

/// Runs the `tether` binary built next to the test bundle.
struct CLITests {
    @Test func unknownCommandIsAUsageError() throws {
        let result = try TetherProcess.run(["no-such-command"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("usage"))
    }
}
