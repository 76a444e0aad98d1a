public import Foundation

extension Process {
    /// Kills the process at once (SIGKILL: a crash, no clean-up) and waits for it to exit.
    public func killAndWait() {
        guard isRunning else { return }
        #if canImport(Glibc) || canImport(Darwin)
        _ = Foundation.kill(processIdentifier, SIGKILL)
        #else
        terminate()
        #endif
        waitUntilExit()
    }
}
