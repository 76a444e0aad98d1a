// Command-line options of `tether agent` and `tether push`, parsed strictly (unknown or repeated
// options, missing values and invalid names are usage errors, exit 2).
import Foundation

/// Which transport an agent connects through.
enum AgentTransportChoice: String, CaseIterable {
    /// WebSocket → SSE → long polling, remembering what worked.
    case auto
    case websocket
    case sse
    case longpoll
}

/// A usage error or malformed input: the message for stderr; the command exits 2.
struct AgentUsageError: Error {
    var message: String
}

/// What `tether agent` and `tether push` were asked to do.
struct AgentOptions {
    /// The server's base URL (`http://127.0.0.1:8080`); each transport derives its scheme and path.
    var server: URL
    /// The collections to mirror, in subscription order, without duplicates.
    var collections: [String]
    var transport: AgentTransportChoice = .auto
    /// Where state, cursors and outbox persist (`--state`).
    var statePath: String?
    /// Print events as NDJSON (`--events`).
    var events = false
    /// Exit after this many quiet seconds, printing the final state (`--until-idle`).
    var untilIdle: Double?
    /// Write a replayable transcript here (`--record`).
    var recordPath: String?
    /// This replica's id (`--client-id`); generated, or taken from the state file, when absent.
    var clientID: String?
    /// Bearer token sent on every (re)connect (`--token`).
    var token: String?
    /// The RFC 6902 patch file of `tether push` (`--patch`, `-` for standard input).
    var patchPath: String?
    /// The longest a command waits for the server (`--timeout`, push only).
    var timeout: Double?

    /// The options each command accepts; the value-less flags are listed separately.
    enum Flag: String {
        case server, collection, transport, state, events, untilIdle = "until-idle", record
        case clientID = "client-id", token, patch, timeout

        var takesValue: Bool { self != .events }
    }

    /// Parses `arguments` for a command accepting `allowed` flags.
    ///
    /// - Parameter singleCollection: `tether push` takes exactly one `--collection`.
    static func parse(
        _ arguments: [String], command: String, allowed: Set<Flag>, singleCollection: Bool = false
    ) throws(AgentUsageError) -> AgentOptions {
        var values: [Flag: [String]] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            var name = argument
            var inlineValue: String?
            guard name.hasPrefix("--") else {
                throw AgentUsageError(message: "tether \(command): unexpected argument '\(argument)'")
            }
            name.removeFirst(2)
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let flag = Flag(rawValue: name), allowed.contains(flag) else {
                throw AgentUsageError(message: "tether \(command): unknown option '--\(name)'")
            }
            if !flag.takesValue {
                guard inlineValue == nil else {
                    throw AgentUsageError(message: "tether \(command): --\(name) takes no value")
                }
                values[flag, default: []].append("")
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw AgentUsageError(message: "tether \(command): --\(name) needs a value")
                }
                value = arguments[index]
                index += 1
            }
            values[flag, default: []].append(value)
        }
        for (flag, list) in values where list.count > 1 && flag != .collection {
            throw AgentUsageError(message: "tether \(command): --\(flag.rawValue) given more than once")
        }
        func single(_ flag: Flag) -> String? { values[flag]?.first }

        guard let serverText = single(.server) else {
            throw AgentUsageError(message: "tether \(command): --server URL is required")
        }
        let server = try parseServer(serverText, command: command)
        let names = values[.collection] ?? []
        guard !names.isEmpty else {
            throw AgentUsageError(message: "tether \(command): at least one --collection NAME is required")
        }
        if singleCollection && names.count != 1 {
            throw AgentUsageError(message: "tether \(command): exactly one --collection NAME is allowed")
        }
        var collections: [String] = []
        for name in names {
            guard isCollectionName(name) else {
                throw AgentUsageError(
                    message: "tether \(command): invalid collection name '\(name)' (1-64 characters of [A-Za-z0-9_.-])")
            }
            if !collections.contains(name) { collections.append(name) }
        }
        var options = AgentOptions(server: server, collections: collections)
        if let text = single(.transport) {
            guard let choice = AgentTransportChoice(rawValue: text) else {
                throw AgentUsageError(message: "tether \(command): --transport must be one of auto, websocket, sse, longpoll")
            }
            options.transport = choice
        }
        options.statePath = try nonEmpty(single(.state), flag: .state, command: command)
        options.recordPath = try nonEmpty(single(.record), flag: .record, command: command)
        options.patchPath = try nonEmpty(single(.patch), flag: .patch, command: command)
        options.token = single(.token)
        options.events = values[.events] != nil
        if let id = single(.clientID) {
            guard isClientID(id) else {
                throw AgentUsageError(message: "tether \(command): invalid client id '\(id)' (1-64 characters of [A-Za-z0-9_.:-])")
            }
            options.clientID = id
        }
        options.untilIdle = try seconds(single(.untilIdle), flag: .untilIdle, command: command)
        options.timeout = try seconds(single(.timeout), flag: .timeout, command: command)
        return options
    }

    /// A base URL with scheme http, https, ws or wss and a host; no query or fragment.
    static func parseServer(_ text: String, command: String) throws(AgentUsageError) -> URL {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), ["http", "https", "ws", "wss"].contains(scheme),
              let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil,
              let url = components.url
        else {
            throw AgentUsageError(
                message: "tether \(command): --server must be a base URL such as http://127.0.0.1:8080 (got '\(text)')")
        }
        return url
    }

    private static func nonEmpty(_ value: String?, flag: Flag, command: String) throws(AgentUsageError) -> String? {
        guard let value else { return nil }
        guard !value.isEmpty else { throw AgentUsageError(message: "tether \(command): --\(flag.rawValue) needs a file path") }
        return value
    }

    private static func seconds(_ value: String?, flag: Flag, command: String) throws(AgentUsageError) -> Double? {
        guard let value else { return nil }
        guard let number = Double(value), number.isFinite, number > 0, number <= 86_400 else {
            throw AgentUsageError(message: "tether \(command): --\(flag.rawValue) must be a number of seconds in (0, 86400]")
        }
        return number
    }

    /// PROTOCOL.md: a collection name is 1-64 characters of `[A-Za-z0-9_.-]`.
    static func isCollectionName(_ name: String) -> Bool {
        isToken(name, extra: [UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-")])
    }

    /// PROTOCOL.md: a client id is 1-64 characters of `[A-Za-z0-9_.:-]`.
    static func isClientID(_ id: String) -> Bool {
        isToken(id, extra: [UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-")])
    }

    private static func isToken(_ text: String, extra: Set<UInt8>) -> Bool {
        let bytes = text.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || extra.contains(byte)
        }
    }

    /// A fresh client id for a replica that has none (`agent-1a2b3c4d5e6f`).
    static func generatedClientID(prefix: String) -> String {
        let hex = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return "\(prefix)-\(hex.prefix(12))"
    }
}
