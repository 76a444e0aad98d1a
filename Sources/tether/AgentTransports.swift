// Building the transport a `tether agent` / `tether push` connects through.
import Foundation
import Tether

/// Turns `--server` and `--transport` into a ``Transport``: each transport derives its own scheme and
/// path from the one base URL (`http://host:port` → `GET /v1/events`, `GET /v1/poll`, `ws://host:port/v1/ws`).
enum AgentTransports {
    /// Why no transport could be built; the command exits 1 with the message.
    struct Unavailable: Error {
        var message: String
    }

    /// The transport for `choice`, optionally wrapped in a transcript recorder writing to `record`.
    static func make(_ choice: AgentTransportChoice, server: URL, record: String?) throws -> any Transport {
        let base = httpBase(server)
        let configuration = HTTPTransportConfiguration(baseURL: base)
        var transport: any Transport
        switch choice {
        case .sse:
            transport = ServerSentEventsTransport(configuration: configuration)
        case .longpoll:
            transport = LongPollingTransport(configuration: configuration)
        case .websocket:
            transport = WebSocketTransport(baseURL: server)
        case .auto:
            transport = FallbackTransport([
                WebSocketTransport(baseURL: server),
                ServerSentEventsTransport(configuration: configuration),
                LongPollingTransport(configuration: configuration),
            ])
        }
        if let record {
            let url = URL(fileURLWithPath: record)
            do {
                transport = try TranscriptRecorder.recording(transport, to: url, title: "tether agent \(base.absoluteString)")
            } catch {
                throw Unavailable(message: "cannot write the transcript \(record): \(error.localizedDescription)")
            }
        }
        return transport
    }

    /// The HTTP(S) base for SSE and long polling (`ws:` → `http:`, `wss:` → `https:`).
    static func httpBase(_ server: URL) -> URL {
        guard var components = URLComponents(url: server, resolvingAgainstBaseURL: false) else { return server }
        switch components.scheme?.lowercased() {
        case "ws": components.scheme = "http"
        case "wss": components.scheme = "https"
        default: break
        }
        return components.url ?? server
    }
}
