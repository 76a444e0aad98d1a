// `tether push`: sends a local RFC 6902 patch to a collection as a mutation, and waits for the ack.
//
// The patch becomes one mutation, normalized at the origin (RealtimeBinder.applyLocalPatch).
// Exit codes: 0 the mutation was acknowledged (a summary line on stdout); 1 the server
// rejected it (code and reason on stderr), the patch does not apply to the current state, or the
// server could not be reached in time; 2 usage error, unreadable or malformed patch.
import Foundation
import Tether

let pushCommand = Command(
    name: "push",
    synopsis: "push --server URL --collection NAME --patch FILE   send a patch as a mutation; wait for the ack",
    run: { arguments in await PushCommand.run(arguments) }
)

enum PushCommand {
    static let usage = """
        usage: tether push --server URL --collection NAME --patch FILE
                           [--transport auto|websocket|sse|longpoll] [--timeout SECONDS] [--token TOKEN]
                           [--state FILE [--client-id ID]]
          --patch FILE        an RFC 6902 patch over the collection object ('/t1/title'), or '-' for stdin
          --timeout SECS      how long to wait for the sync and the acknowledgment (default 30)
          --state FILE        persist the replica (client id, mutation counter, outbox) between pushes
          --client-id ID      this replica's id; needs --state so mutation ids never repeat
        """

    static let allowed: Set<AgentOptions.Flag> = [
        .server, .collection, .patch, .transport, .timeout, .token, .state, .clientID,
    ]

    static func run(_ arguments: [String]) async -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(usage)
            return 0
        }
        let options: AgentOptions
        let patch: JSONPatch
        do throws(AgentUsageError) {
            options = try AgentOptions.parse(arguments, command: "push", allowed: allowed, singleCollection: true)
            guard let path = options.patchPath else {
                throw AgentUsageError(message: "tether push: --patch FILE is required")
            }
            if options.clientID != nil && options.statePath == nil {
                // A fresh replica restarts mutation ids at 1: the server would take them for resends.
                throw AgentUsageError(message: "tether push: --client-id needs --state (mutation ids must never repeat)")
            }
            patch = try readPatch(path)
        } catch {
            standardError(error.message + "\n" + usage)
            return 2
        }
        // A push is bounded: sync and acknowledgment each wait at most --timeout. Should anything hang
        // beyond that (a stuck connection teardown), the watchdog still ends the process with exit 1.
        let limit = (options.timeout ?? 30) * 2 + 15
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: limit)
            FileHandle.standardError.write(Data("tether push: gave up after \(Int(limit)) s (watchdog)\n".utf8))
            exit(1)
        }
        do {
            try await execute(options, patch: patch)
            return 0
        } catch {
            standardError("tether push: \(error.message)")
            return error.status
        }
    }

    /// Reads and decodes the patch; every failure is malformed input (exit 2).
    static func readPatch(_ path: String) throws(AgentUsageError) -> JSONPatch {
        let data: Data
        do {
            data = path == "-"
                ? try FileHandle.standardInput.readToEnd() ?? Data()
                : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AgentUsageError(message: "tether push: cannot read patch '\(path)': \(error.localizedDescription)")
        }
        let json: JSON
        do { json = try JSON(parsing: [UInt8](data)) } catch {
            throw AgentUsageError(message: "tether push: malformed JSON in patch '\(path)': \(error)")
        }
        do { return try JSONPatch(json) } catch {
            throw AgentUsageError(message: "tether push: not an RFC 6902 patch: \(error)")
        }
    }

    @MainActor
    static func execute(_ options: AgentOptions, patch: JSONPatch) async throws(AgentExit) {
        let name = options.collections[0]
        let timeout = Duration.milliseconds(Int64((options.timeout ?? 30) * 1000))
        let session = try AgentSession(options: options, clientPrefix: "push", printer: AgentEventPrinter(enabled: false))
        session.start()
        do {
            try await push(patch, to: name, in: session, timeout: timeout)
        } catch {
            await session.stop()
            throw error
        }
        await session.stop()
    }

    @MainActor
    private static func push(_ patch: JSONPatch, to name: String, in session: AgentSession, timeout: Duration) async throws(AgentExit) {
        guard await session.wait(timeout: timeout, until: { session.isSynced }) else {
            throw AgentExit(status: 1, message: failure(session, "could not sync \(name) with \(session.options.server.absoluteString) within \(timeout)"))
        }
        // One mutation for the whole patch, normalized at the origin (exact paths; arrays whole).
        let mutation: MutationID?
        do throws(RealtimeBinder.LocalPatchError) {
            mutation = try session.binder.applyLocalPatch(patch, to: name)
        } catch {
            switch error {
            case .patch(let reason):
                throw AgentExit(status: 1, message: "the patch does not apply to the current state of \(name): \(reason)")
            default:
                throw AgentExit(status: 1, message: "the write was refused locally: \(error)")
            }
        }
        guard mutation != nil else {
            print(#"{"client":"\#(session.clientID)","collection":"\#(name)","mutations":[]}"#)
            return
        }
        let done = await session.wait(timeout: timeout, until: { !session.binder.hasPendingWrites })
        if let rejection = session.rejections.first {
            throw AgentExit(status: 1, message: "mutation \(rejection.mutation) rejected: \(rejection.code)\(rejection.reason.map { ": \($0)" } ?? "")")
        }
        guard done else {
            throw AgentExit(status: 1, message: failure(session, "no acknowledgment within \(timeout) (\(session.binder.pendingWriteCount) pending)"))
        }
        let ids = session.acked.map(String.init).joined(separator: ",")
        print(#"{"client":"\#(session.clientID)","collection":"\#(name)","mutations":[\#(ids)]}"#)
    }

    /// The message for a session that did not get where it should: the binder's own reason when it stopped.
    @MainActor
    private static func failure(_ session: AgentSession, _ message: String) -> String {
        guard let reason = session.fatalClose else { return message }
        return "\(message): \(reason.code)\(reason.message.isEmpty ? "" : ": \(reason.message)")"
    }
}
