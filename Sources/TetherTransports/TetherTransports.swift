// TetherTransports: WebSocket (own RFC 6455 client, TLS through the system OpenSSL), Server-Sent Events
// and HTTP long polling, each a producer of wire-frame batches for ``RealtimeBinder``.
@_exported public import TetherSync
