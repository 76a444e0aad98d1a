/// How a ``SyncCollection`` keeps its models sorted (Backbone's `comparator`).
///
/// Sorting is stable: models that compare equal keep their current relative order.
public enum Comparator {
    /// Ascending by one attribute (Backbone's string comparator). Absent values sort last.
    case attribute(String)
    /// Ascending by a key computed from each model (Backbone's one-argument function, `sortBy`).
    case key((SyncModel) -> JSON?)
    /// A two-model ordering: `true` when the first model belongs before the second (Backbone's
    /// two-argument comparator returning a negative number).
    case areInIncreasingOrder((SyncModel, SyncModel) -> Bool)

    /// The attribute a string comparator sorts by (`nil` for functions).
    var attributeName: String? {
        if case .attribute(let name) = self { return name }
        return nil
    }
}

/// Underscore's `sortBy` criterion order: absent last, then numbers, strings and the rest.
///
/// JavaScript compares mixed types with coercing `<`; this port orders by type first
/// (null < booleans < numbers < strings < arrays < objects), then by value within a type.
enum SortKeyOrder {
    static func ascending(_ a: JSON?, _ b: JSON?) -> Bool? {
        switch (a, b) {
        case (nil, nil): return nil
        case (nil, _): return false
        case (_, nil): return true
        case let (x?, y?): return less(x, y) ? true : (less(y, x) ? false : nil)
        }
    }

    static func rank(_ value: JSON) -> Int {
        switch value {
        case .null: return 0
        case .bool: return 1
        case .number: return 2
        case .string: return 3
        case .array: return 4
        case .object: return 5
        }
    }

    static func less(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): return x < y
        case let (.string(x), .string(y)): return x < y
        case let (.bool(x), .bool(y)): return !x && y
        default:
            let ra = rank(a), rb = rank(b)
            if ra != rb { return ra < rb }
            return false
        }
    }
}
