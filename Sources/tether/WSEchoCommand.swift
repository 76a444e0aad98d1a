// `tether ws-echo URL`: connects to a WebSocket server and echoes every text and binary message back
// until the server closes: the conventional testee for WebSocket conformance peers.
//
// Exit codes: 0 the server closed the connection cleanly (1000, 1001 or no code); 1 the connection could
// not be opened or ended abnormally (one-line reason on stderr); 2 usage error.
// Options: --max-message BYTES, --ca-file PEM, --close-timeout SECONDS.
import Foundation
import Tether

let wsEchoCommand = Command(
    name: "ws-echo",
    synopsis: "ws-echo URL [--ca-file PEM] [--max-message BYTES]   echo WebSocket messages until the server closes",
    run: { arguments in await WSEchoCommand.run(arguments) }
)

enum WSEchoCommand {
    static let usage = "usage: tether ws-echo URL [--ca-file PEM] [--max-message BYTES] [--close-timeout SECONDS]"

    static func run(_ arguments: [String]) async -> Int32 {
        var url: String?
        var options = WebSocketOptions()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            func value() -> String? {
                index += 1
                return index < arguments.count ? arguments[index] : nil
            }
            switch argument {
            case "--ca-file":
                guard let path = value() else { return fail(2, usage) }
                options.tls.caFile = path
            case "--max-message":
                guard let text = value(), let bytes = Int(text), bytes > 0 else { return fail(2, usage) }
                options.maxMessageSize = bytes
            case "--close-timeout":
                guard let text = value(), let seconds = Double(text), seconds > 0 else { return fail(2, usage) }
                options.closeTimeout = .milliseconds(Int(seconds * 1000))
            default:
                guard url == nil, !argument.hasPrefix("--") else { return fail(2, usage) }
                url = argument
            }
            index += 1
        }
        guard let url else { return fail(2, usage) }
        let client: WebSocketClient
        do {
            client = try await WebSocketClient.connect(to: url, options: options)
        } catch {
            return fail(1, "tether ws-echo: \(error)")
        }
        for await message in client.messages {
            do {
                switch message {
                case .text(let text): try await client.send(text: text)
                case .binary(let bytes): try await client.send(binary: bytes)
                }
            } catch .closed {
                continue  // the close handshake started meanwhile; the stream ends next
            } catch {
                return fail(1, "tether ws-echo: \(error)")
            }
        }
        guard let info = client.closeInfo else { return fail(1, "tether ws-echo: the connection ended without close information") }
        let clean = info.initiator == .server && [WebSocketCloseCode.normal, WebSocketCloseCode.goingAway, WebSocketCloseCode.noStatus].contains(info.code)
        if clean { return 0 }
        return fail(1, "tether ws-echo: connection closed with \(info.code)\(info.reason.isEmpty ? "" : " (\(info.reason))") [\(info.initiator)]")
    }

    private static func fail(_ status: Int32, _ message: String) -> Int32 {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return status
    }
}
