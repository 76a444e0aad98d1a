// How `tether agent` and `tether push` end with a failure.
import Foundation

/// A failure that ends a command: exit status and the message for stderr.
struct AgentExit: Error {
    var status: Int32
    var message: String
}

/// Writes one line to stderr.
func standardError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
