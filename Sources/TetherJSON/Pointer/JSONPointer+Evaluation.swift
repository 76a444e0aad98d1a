// RFC 6901 section 4 evaluation, and the array-index rule shared with the patch engine.

extension JSONPointer {
    /// The value this pointer selects in `document`.
    ///
    /// Member names match by code points; array tokens must be `0` or digits without a leading zero;
    /// `-` selects nothing (it only has a meaning for JSON Patch `add`).
    ///
    /// - Throws: an evaluation ``JSONPointerError`` (``JSONPointerError/isSyntaxError`` is `false`).
    public func evaluate(in document: JSON) throws(JSONPointerError) -> JSON {
        var current = document
        for depth in tokens.indices {
            switch current {
            case .object(let object):
                guard let slot = object.exactSlot(of: tokens[depth]) else {
                    throw .memberNotFound(pointer: prefix(depth + 1))
                }
                current = object.slots[slot].unsafelyUnwrapped.value
            case .array(let array):
                switch ArrayIndexToken(tokens[depth]) {
                case .index(let i) where i < array.count: current = array[i]
                case .index: throw .indexOutOfBounds(pointer: prefix(depth + 1), count: array.count)
                case .pastTheEnd: throw .pastTheEnd(pointer: prefix(depth + 1))
                case .invalid: throw .invalidArrayIndex(pointer: prefix(depth + 1))
                }
            default:
                throw .notAContainer(pointer: prefix(depth + 1), type: current.typeName)
            }
        }
        return current
    }

    /// The pointer made of the first `count` tokens.
    func prefix(_ count: Int) -> JSONPointer {
        count == tokens.count ? self : JSONPointer(tokens: Array(tokens[0..<count]))
    }
}

/// What a reference token means when it is applied to an array.
enum ArrayIndexToken: Equatable {
    /// A valid index; too-large values saturate at `Int.max` (always out of bounds, never a crash).
    case index(Int)
    /// `-`: the position after the last element.
    case pastTheEnd
    /// Not `0`, not digits without a leading zero, and not `-`.
    case invalid

    @inline(__always)
    init(_ token: String) {
        var value = 0
        var count = 0
        var first: UInt8 = 0
        for byte in token.utf8 {
            if count == 0 { first = byte }
            count += 1
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else {
                self = (count == 1 && byte == UInt8(ascii: "-") && token.utf8.count == 1) ? .pastTheEnd : .invalid
                return
            }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(digit))
            value = (o1 || o2) ? Int.max : sum
        }
        if count == 0 || (first == UInt8(ascii: "0") && count > 1) {
            self = .invalid
        } else {
            self = .index(value)
        }
    }
}
