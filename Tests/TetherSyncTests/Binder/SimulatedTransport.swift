import TetherSync

/// Connects a ``RealtimeBinder`` to a ``SimulatedServer`` in the same process. It reports itself as
/// WebSocket (the binder answers pings and sends its hello in-band), and every frame goes through
/// the wire encoding both ways.
struct SimulatedTransport: Transport {
    let server: SimulatedServer

    var kind: TransportKind { .webSocket }

    func connect(_ handshake: TransportHandshake) async throws(TransportError) -> any TransportConnection {
        let (link, inbound) = try server.open(handshake)
        return Connection(server: server, link: link, inbound: inbound)
    }

    struct Connection: TransportConnection {
        let server: SimulatedServer
        let link: Int
        let inbound: AsyncStream<TransportInbound>

        func send(_ frames: [[UInt8]]) async throws(TransportError) {
            try server.receive(frames, on: link)
        }

        func close() async {
            server.close(link)
        }
    }
}
