// Clean shutdown of a running agent on SIGINT/SIGTERM.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM end the agent cleanly (state saved) instead of killing it mid-write.
@MainActor
final class AgentSignalWatch {
    private(set) var received = false
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler { [weak self] in
                MainActor.assumeIsolated { self?.received = true }
            }
            source.resume()
            sources.append(source)
        }
    }
}
