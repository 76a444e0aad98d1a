// Bridges between JSON values and user types, both ways, without a detour through bytes.
//
// Defaults (no Foundation needed): `Date` encodes through its own Codable form (a Double of
// seconds since 2001-01-01), `Data` as an array of byte values, dictionaries with `String` or
// `Int` keys as objects. Integers beyond Int64 and non-finite floats are refused with
// `EncodingError.invalidValue`, since a JSON value could not hold them exactly.

extension JSON {
    /// Encodes a value into a JSON tree (members in the order the type encodes them).
    ///
    /// - Throws: `EncodingError.invalidValue` for NaN/infinity or integers beyond `Int64`, or
    ///   whatever the type's own `encode(to:)` throws.
    public init(encoding value: some Encodable) throws {
        self = try JSONValueEncoder.node(for: value, at: []).resolve()
    }

    /// Decodes a user type from this value.
    ///
    /// - Throws: `DecodingError` whose context carries the coding path and whose description
    ///   names it (`todos[2].owner: expected a string, found a number (3)`).
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONValueDecoder.decodeValue(type, from: self, at: [])
    }
}

extension JSON: Codable {
    /// Reads any JSON value from any decoder (`JSONDecoder`, property-list decoders, ...).
    /// With Tether's own bridge the value is taken as is.
    public init(from decoder: any Decoder) throws {
        if let bridge = decoder as? JSONValueDecoder {
            self = bridge.value
            return
        }
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() {
                self = .null
                return
            }
            if let flag = try? container.decode(Bool.self) {
                self = .bool(flag)
                return
            }
            if let integer = try? container.decode(Int64.self) {
                self = .int(integer)
                return
            }
            if let number = try? container.decode(Double.self) {
                self = .double(number)
                return
            }
            if let string = try? container.decode(String.self) {
                self = .string(string)
                return
            }
        }
        if var elements = try? decoder.unkeyedContainer() {
            var array: [JSON] = []
            if let count = elements.count { array.reserveCapacity(count) }
            while !elements.isAtEnd { array.append(try elements.decode(JSON.self)) }
            self = .array(array)
            return
        }
        if let members = try? decoder.container(keyedBy: JSONCodingKey.self) {
            var object = JSONObject(minimumCapacity: members.allKeys.count)
            for key in members.allKeys { object[key.stringValue] = try members.decode(JSON.self, forKey: key) }
            self = .object(object)
            return
        }
        throw DecodingError.dataCorrupted(.init(
            codingPath: decoder.codingPath, debugDescription: "\(decoder.codingPath.jsonPathDescription): not a JSON value"))
    }

    /// Writes this value to any encoder; objects keep their member order where the encoder does.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .number(.int(let integer)):
            var container = encoder.singleValueContainer()
            try container.encode(integer)
        case .number(.double(let number)):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .string(let string):
            var container = encoder.singleValueContainer()
            try container.encode(string)
        case .array(let array):
            var container = encoder.unkeyedContainer()
            for element in array { try container.encode(element) }
        case .object(let object):
            var container = encoder.container(keyedBy: JSONCodingKey.self)
            for (key, value) in object { try container.encode(value, forKey: JSONCodingKey(stringValue: key)) }
        }
    }
}
