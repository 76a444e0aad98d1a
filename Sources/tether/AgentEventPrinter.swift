// NDJSON output of `tether agent --events`: one canonical JSON object per line on stdout.
import Foundation
import Tether

/// Writes agent events as NDJSON (one compact, sorted-keys JSON object per line), or nothing when
/// events were not asked for. Every line is flushed as written so a pipe reader sees events live.
/// Lives in the binder's isolation, like the collections it reports on.
final class AgentEventPrinter {
    let enabled: Bool

    init(enabled: Bool) { self.enabled = enabled }

    /// Writes one event: `{"event": name, ...fields}`.
    func emit(_ name: String, _ fields: JSONObject = [:]) {
        guard enabled else { return }
        var object = fields
        object["event"] = .string(name)
        var line = JSON.object(object).serializedBytes(options: .sortedKeys)
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(Data(line))
    }

    /// A binder lifecycle event as an NDJSON line.
    func emit(_ event: BinderEvent) {
        guard enabled else { return }
        switch event {
        case .connecting(let attempt):
            emit("connecting", ["attempt": .int(Int64(attempt))])
        case .open:
            emit("open")
        case .synced:
            emit("synced")
        case .resync(let collection, let reason, let cursor):
            var fields: JSONObject = ["collection": .string(collection), "reason": .string(reason.rawValue)]
            fields["cursor"] = cursor.map { ["epoch": .string($0.epoch), "seq": .int(Int64($0.seq))] } ?? .null
            emit("resync", fields)
        case .reconnecting(let delay, let reason):
            emit("reconnecting", ["delayMs": .int(Int64(clamping: delay)), "code": .string(reason.code), "message": .string(reason.message)])
        case .closed(let reason):
            emit("closed", ["code": .string(reason.code), "message": .string(reason.message)])
        case .error(let error):
            emit("error", ["message": .string(error.description)])
        case .rejected(let collection, let mutation, let code, let reason):
            emit("rejected", [
                "collection": .string(collection), "client": .string(mutation.client),
                "mutation": .int(Int64(clamping: mutation.mutation)), "code": .string(code),
                "reason": reason.map { .string($0) } ?? .null,
            ])
        case .acked(let collection, let mutation):
            emit("acked", [
                "collection": .string(collection), "client": .string(mutation.client),
                "mutation": .int(Int64(clamping: mutation.mutation)),
            ])
        case .beforeDestroy, .destroy:
            return  // the agent destroys its binder on exit; nothing a consumer needs to see
        }
    }
}
