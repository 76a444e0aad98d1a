// The `tether` command: the scriptable face of Tether.
//
// Exit codes, shared by every subcommand: 0 success, 1 the operation failed (a patch could not be
// applied, a push was rejected), 2 usage error or malformed input.
import Foundation
import Tether

/// A subcommand: its name, a one-line synopsis, and the function that runs it.
struct Command: Sendable {
    let name: String
    let synopsis: String
    let run: @Sendable ([String]) async -> Int32
}

let commands: [Command] = [
    // Each subcommand lives in its own file (PatchCommand.swift, ReplayCommand.swift, ...).
    patchCommand,
    agentCommand,
    pushCommand,
    wsEchoCommand,
    replayCommand,
]

@MainActor func usage() -> String {
    var text = "usage: tether <command> [arguments]\n\ncommands:\n"
    for command in commands { text += "  \(command.synopsis)\n" }
    return text
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let command = commands.first(where: { $0.name == name }) else {
    if let first = arguments.first, first == "--help" || first == "-h" || first == "help" {
        print(usage(), terminator: "")
        exit(0)
    }
    FileHandle.standardError.write(Data(usage().utf8))
    exit(2)
}
exit(await command.run(Array(arguments.dropFirst())))
