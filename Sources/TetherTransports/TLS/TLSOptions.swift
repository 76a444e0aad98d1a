/// How `wss://` connections verify the server. Verification is always on: the peer's certificate must
/// chain to a trusted CA and match the host name.
public struct TLSOptions: Sendable, Equatable {
    /// A PEM file of extra trusted CA certificates (for example a private or test CA), used in addition
    /// to the system's default trust store.
    public var caFile: String?
    /// The name to verify and send as SNI, when it differs from the URL's host.
    public var serverName: String?

    public init(caFile: String? = nil, serverName: String? = nil) {
        self.caFile = caFile
        self.serverName = serverName
    }
}
