import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Posts client frames to `POST {base}/v1/send` as a JSON array (the SSE and long-polling uplink).
///
/// Requests go out one at a time, in call order: the server keeps the highest mutation id per client,
/// so a later mutation overtaking an earlier one on a parallel connection would make the earlier one
/// look like a duplicate.
final class FrameSender: Sendable {
    private let configuration: HTTPTransportConfiguration
    private let http: HTTPSession
    private let handshake: TransportHandshake
    private let kind: TransportKind
    private let gate = SerialGate()

    init(configuration: HTTPTransportConfiguration, http: HTTPSession, handshake: TransportHandshake, kind: TransportKind) {
        self.configuration = configuration
        self.http = http
        self.handshake = handshake
        self.kind = kind
    }

    /// Sends `frames` in one request; the server answers 202 and replies on the stream.
    func send(_ frames: [[UInt8]]) async throws(TransportError) {
        guard !frames.isEmpty else { return }
        let size = frames.reduce(frames.count + 1) { $0 + $1.count }
        guard size <= configuration.maximumSendSize else {
            throw .messageTooLarge(limit: configuration.maximumSendSize)
        }
        var body: [UInt8] = []
        body.reserveCapacity(size)
        body.append(UInt8(ascii: "["))
        for (index, frame) in frames.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: frame)
        }
        body.append(UInt8(ascii: "]"))

        await gate.acquire()
        defer { gate.release() }
        let url = configuration.url("v1/send", query: [("client", handshake.clientID)])
        var token = try await configuration.token(.request, handshake: handshake)
        for attempt in 0..<2 {
            var request = configuration.request(
                url, method: "POST", token: token, timeoutSeconds: configuration.policy.idleTimeoutSeconds)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body)
            // POSTs are deduplicated by the server ((client, mutation) ids), so resending one on a fresh
            // connection after a dead keep-alive connection is safe.
            let (response, _) = try await http.fetch(request, maximumBodySize: 64 << 10, reusingConnections: true)
            switch response.statusCode {
            case 200..<300:
                configuration.metrics.bytesSent?(kind, body.count)
                return
            case 401, 403:
                guard attempt == 0 else { throw .unauthorized }
                token = try await configuration.refreshedToken()
            case 413:
                throw .messageTooLarge(limit: configuration.maximumSendSize)
            default:
                throw .handshakeFailed(status: response.statusCode, "POST /v1/send answered \(response.statusCode)")
            }
        }
        throw .unauthorized
    }
}
