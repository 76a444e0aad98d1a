/// How a replay compares a frame the client sent with the transcript's `out` step.
///
/// Objects match when every member the transcript lists matches (unlisted members, such as stamps
/// a hand-written fixture does not care about, are ignored); arrays match element by element;
/// the payload members `value` and `state` and all scalars must be equal.
enum TranscriptMatch {
    static func matches(expected: JSON, actual: JSON) -> Bool {
        switch (expected, actual) {
        case let (.object(e), .object(a)):
            for (key, value) in e {
                guard let other = a[key] else { return value.isNull }
                if key == "value" || key == "state" {
                    guard value == other else { return false }
                } else if !matches(expected: value, actual: other) {
                    return false
                }
            }
            return true
        case let (.array(e), .array(a)):
            return e.count == a.count && zip(e, a).allSatisfy { matches(expected: $0, actual: $1) }
        default:
            return expected == actual
        }
    }
}
