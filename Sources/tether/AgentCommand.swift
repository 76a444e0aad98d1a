// `tether agent`: the headless sync agent.
//
// Exit codes: 0 stopped normally (idle with --until-idle, or SIGINT/SIGTERM); 1 the agent failed
// (transport unavailable, fatal close such as unauthorized, never synced before going idle);
// 2 usage error or malformed input (bad option, bad state file).
import Foundation
import Tether

let agentCommand = Command(
    name: "agent",
    synopsis: "agent --server URL --collection NAME ...   mirror collections (NDJSON events, final state)",
    run: { arguments in await AgentCommand.run(arguments) }
)

enum AgentCommand {
    static let usage = """
        usage: tether agent --server URL --collection NAME [--collection NAME ...]
                            [--transport auto|websocket|sse|longpoll] [--state FILE] [--events]
                            [--until-idle SECONDS] [--record FILE] [--client-id ID] [--token TOKEN]
          --server URL        the server's base URL (http://127.0.0.1:8080); each transport derives its path
          --collection NAME   a collection to mirror (repeatable)
          --transport KIND    auto (default: WebSocket → SSE → long polling), websocket, sse or longpoll
          --state FILE        persist state, cursors and outbox here; a restart resumes from it
          --events            print events as NDJSON on stdout, one JSON object per line
          --until-idle SECS   exit after SECS quiet seconds once synced, printing the final state as JSON
                              (choose SECS above the server's heartbeat: a frame lost just before the
                              quiet period is only revealed, and repaired, by the next heartbeat)
          --record FILE       write a replayable transcript (.jsonl) of the session
          --client-id ID      this replica's id (default: from --state, else generated)
          --token TOKEN       bearer token sent on every (re)connect
        """

    static let allowed: Set<AgentOptions.Flag> = [
        .server, .collection, .transport, .state, .events, .untilIdle, .record, .clientID, .token,
    ]

    static func run(_ arguments: [String]) async -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(usage)
            return 0
        }
        let options: AgentOptions
        do {
            options = try AgentOptions.parse(arguments, command: "agent", allowed: allowed)
        } catch {
            standardError(error.message + "\n" + usage)
            return 2
        }
        return await execute(options)
    }

    @MainActor
    static func execute(_ options: AgentOptions) async -> Int32 {
        let session: AgentSession
        do {
            session = try AgentSession(options: options, clientPrefix: "agent", printer: AgentEventPrinter(enabled: options.events))
        } catch {
            standardError("tether agent: \(error.message)")
            return error.status
        }
        let stopSignal = AgentSignalWatch()
        session.start()
        var status: Int32 = 0
        var finalState: [UInt8]?
        while true {
            try? await Task.sleep(for: .milliseconds(50))
            if stopSignal.received { break }
            if let reason = session.fatalClose {
                standardError("tether agent: stopped: \(reason.code)\(reason.message.isEmpty ? "" : ": \(reason.message)")")
                status = 1
                break
            }
            guard let idle = options.untilIdle else { continue }
            let quiet = ContinuousClock.now - session.lastActivity
            guard quiet >= .milliseconds(Int64(idle * 1000)) else { continue }
            if session.isSynced && !session.binder.hasPendingWrites {
                finalState = session.canonicalState()
                break
            }
            if !session.hasSynced {
                standardError("tether agent: not synced with \(options.server.absoluteString) after \(idle) quiet seconds")
                status = 1
                break
            }
        }
        if await !session.stop() {
            standardError("tether agent: the connection did not close within 5 s; exiting anyway (state saved)")
        }
        // The final state is the last line, after any events the shutdown produced.
        if var line = finalState {
            line.append(UInt8(ascii: "\n"))
            FileHandle.standardOutput.write(Data(line))
        }
        return status
    }
}
