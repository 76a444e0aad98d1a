/// Well-known close codes (RFC 6455 §7.4.1 and the IANA registry) and the rule for which may be sent.
public enum WebSocketCloseCode {
    public static let normal: UInt16 = 1000
    public static let goingAway: UInt16 = 1001
    public static let protocolError: UInt16 = 1002
    public static let unsupportedData: UInt16 = 1003
    /// Never on the wire: the close frame carried no code.
    public static let noStatus: UInt16 = 1005
    /// Never on the wire: the connection dropped without a close handshake.
    public static let abnormal: UInt16 = 1006
    public static let invalidData: UInt16 = 1007
    public static let policyViolation: UInt16 = 1008
    public static let messageTooBig: UInt16 = 1009
    public static let internalError: UInt16 = 1011
    public static let serviceRestart: UInt16 = 1012
    public static let tryAgainLater: UInt16 = 1013

    /// Whether `code` may appear in a close frame: 1000-1003, 1007-1014, and 3000-4999 (1004-1006 and 1015
    /// are reserved or local-only; everything else is unassigned).
    public static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }
}
