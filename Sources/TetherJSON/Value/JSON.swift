/// A JSON value: the currency of every Tether layer, from wire frames to model attributes.
///
/// Numbers keep their lexical kind: integers in the `Int64` range stay exact and print back without
/// a fraction, everything else is a `Double`. Objects keep insertion order (Backbone fires
/// `change:attr` events in attribute order) but compare as unordered maps, and numbers compare by
/// value, so `1 == 1.0` as RFC 6902 `test` requires.
///
/// Reading and writing: ``init(parsing:options:)-([UInt8],_)`` parses strict RFC 8259 UTF-8 with
/// typed, positioned errors (``JSONParseError``); ``serialized(options:)``,
/// ``serializedBytes(options:)`` and ``serialize(into:options:)`` write it back (compact, pretty,
/// sorted keys). ``init(encoding:)`` and ``decode(_:)`` bridge to `Codable` types without bytes.
///
/// `JSON` is a value type. To mutate deep inside a large document without copying it, use the
/// in-place helpers (``withObject(_:)``, ``withArray(_:)``) or the JSON Patch engine, which move the
/// payload out of the enum before mutating so that copy-on-write never triggers.
@frozen
public enum JSON: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

// MARK: - Convenience constructors and accessors

extension JSON {
    /// An exact integer.
    @inlinable public static func int(_ value: Int64) -> JSON { .number(.int(value)) }
    /// A floating-point number.
    @inlinable public static func double(_ value: Double) -> JSON { .number(.double(value)) }

    @inlinable public var isNull: Bool { if case .null = self { return true } else { return false } }

    @inlinable public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    @inlinable public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

    @inlinable public var numberValue: JSONNumber? { if case .number(let n) = self { return n } else { return nil } }

    /// The value as an exact integer, if it is a number with no fractional part in `Int64` range.
    @inlinable public var int64Value: Int64? { numberValue?.int64Value }

    /// The value as an `Int`, if it is an integral number that fits.
    @inlinable public var intValue: Int? { int64Value.flatMap { Int(exactly: $0) } }

    /// The value as a `Double`, if it is a number (integers convert, possibly rounding beyond 2^53).
    @inlinable public var doubleValue: Double? { numberValue?.doubleValue }

    @inlinable public var arrayValue: [JSON]? { if case .array(let a) = self { return a } else { return nil } }

    @inlinable public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// The JSON type name, for error messages ("object", "array", "string", "number", "boolean", "null").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

// MARK: - Subscripts

extension JSON {
    /// The member named `key` of an object; `nil` for a missing member or a non-object.
    ///
    /// Setting a member on a non-object is a programming error and traps; setting `nil` removes it.
    @inlinable
    public subscript(key: String) -> JSON? {
        get {
            if case .object(let o) = self { return o[key] }
            return nil
        }
        set {
            withObject { $0[key] = newValue }
        }
    }

    /// The element at `index` of an array; `nil` when out of range or for a non-array.
    @inlinable
    public subscript(index: Int) -> JSON? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }
}

// MARK: - In-place mutation

extension JSON {
    /// Mutates the object payload in place. Traps if `self` is not an object.
    ///
    /// The payload is moved out of the enum before `body` runs, so a uniquely referenced object is
    /// mutated without a copy. If `body` throws, `self` keeps whatever `body` left in the object.
    @inlinable
    public mutating func withObject<R>(_ body: (inout JSONObject) throws -> R) rethrows -> R {
        guard case .object(var object) = self else {
            preconditionFailure("JSON.withObject on a \(typeName)")
        }
        self = .null
        defer { self = .object(object) }
        return try body(&object)
    }

    /// Mutates the array payload in place. Traps if `self` is not an array.
    @inlinable
    public mutating func withArray<R>(_ body: (inout [JSON]) throws -> R) rethrows -> R {
        guard case .array(var array) = self else {
            preconditionFailure("JSON.withArray on a \(typeName)")
        }
        self = .null
        defer { self = .array(array) }
        return try body(&array)
    }
}

// MARK: - Equality and hashing

extension JSON: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0 as UInt8)
        case .bool(let b): hasher.combine(1 as UInt8); hasher.combine(b)
        case .number(let n): hasher.combine(2 as UInt8); hasher.combine(n)
        case .string(let s): hasher.combine(3 as UInt8); hasher.combine(s)
        case .array(let a): hasher.combine(4 as UInt8); hasher.combine(a)
        case .object(let o): hasher.combine(5 as UInt8); hasher.combine(o)
        }
    }
}

// MARK: - Literals

extension JSON: ExpressibleByNilLiteral {
    @inlinable public init(nilLiteral: ()) { self = .null }
}

extension JSON: ExpressibleByBooleanLiteral {
    @inlinable public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSON: ExpressibleByIntegerLiteral {
    @inlinable public init(integerLiteral value: Int64) { self = .number(.int(value)) }
}

extension JSON: ExpressibleByFloatLiteral {
    @inlinable public init(floatLiteral value: Double) { self = .number(.double(value)) }
}

extension JSON: ExpressibleByStringLiteral {
    @inlinable public init(stringLiteral value: String) { self = .string(value) }
}

extension JSON: ExpressibleByArrayLiteral {
    @inlinable public init(arrayLiteral elements: JSON...) { self = .array(elements) }
}

extension JSON: ExpressibleByDictionaryLiteral {
    /// Builds an object in literal order. A repeated key keeps its first position and its last value.
    @inlinable public init(dictionaryLiteral elements: (String, JSON)...) {
        var object = JSONObject(minimumCapacity: elements.count)
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}
