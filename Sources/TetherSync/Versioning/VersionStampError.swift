/// Why a version stamp or replica id was refused.
public enum VersionStampError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not `<15 digits>-<6 digits>-<replica>`.
    case invalidFormat(String)
    /// A replica id that is empty, longer than 64 bytes or uses characters outside `[A-Za-z0-9_.:-]`.
    case invalidReplica(String)
    /// Physical milliseconds above 999,999,999,999,999 (they would not fit 15 digits).
    case physicalOutOfRange(UInt64)
    /// A logical counter above 999,999 (it would not fit 6 digits).
    case counterOutOfRange(UInt32)

    public var description: String {
        switch self {
        case .invalidFormat(let text):
            return "invalid version stamp \"\(text)\": expected <15 digits>-<6 digits>-<replica id>"
        case .invalidReplica(let text):
            return "invalid replica id \"\(text)\": expected 1-64 characters of [A-Za-z0-9_.:-]"
        case .physicalOutOfRange(let value):
            return "physical time \(value) ms does not fit 15 decimal digits"
        case .counterOutOfRange(let value):
            return "logical counter \(value) does not fit 6 decimal digits"
        }
    }
}
