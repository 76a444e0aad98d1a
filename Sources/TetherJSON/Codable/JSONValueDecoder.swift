/// A `Decoder` that reads a ``JSON`` tree directly, without going through bytes.
///
/// Errors are the standard `DecodingError`s with full coding paths, and their descriptions name
/// the path the way a reader writes it (`todos[2].owner: expected a string, found a number`).
/// Numbers convert only when exact: `3.0` decodes as `Int` 3, `3.5` or `300` into `UInt8` fail.
struct JSONValueDecoder: Decoder {
    let value: JSON
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSON, codingPath: [any CodingKey] = []) {
        self.value = value
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw Self.mismatch([String: JSON].self, "an object", value, codingPath)
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else {
            throw Self.mismatch([JSON].self, "an array", value, codingPath)
        }
        return UnkeyedContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(value: value, codingPath: codingPath)
    }

    // MARK: - Conversions shared by all containers

    static func mismatch(_ type: Any.Type, _ expected: String, _ value: JSON, _ path: [any CodingKey]) -> DecodingError {
        .typeMismatch(type, .init(
            codingPath: path,
            debugDescription: "\(path.jsonPathDescription): expected \(expected), found \(value.typeDescription)"))
    }

    static func decode(_ type: Bool.Type, from value: JSON, at path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(type, "a boolean", value, path()) }
        return flag
    }

    static func decode(_ type: String.Type, from value: JSON, at path: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let string) = value else { throw mismatch(type, "a string", value, path()) }
        return string
    }

    static func decode(_ type: Double.Type, from value: JSON, at path: @autoclosure () -> [any CodingKey]) throws -> Double {
        guard case .number(let number) = value else { throw mismatch(type, "a number", value, path()) }
        return number.doubleValue
    }

    static func decode(_ type: Float.Type, from value: JSON, at path: @autoclosure () -> [any CodingKey]) throws -> Float {
        guard case .number(let number) = value else { throw mismatch(type, "a number", value, path()) }
        let result = Float(number.doubleValue)
        guard result.isFinite else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: path(), debugDescription: "\(path().jsonPathDescription): \(number) does not fit Float"))
        }
        return result
    }

    static func decodeInteger<T: FixedWidthInteger>(_ type: T.Type, from value: JSON, at path: @autoclosure () -> [any CodingKey]) throws -> T {
        guard case .number(let number) = value else { throw mismatch(type, "an integer", value, path()) }
        let exact: T?
        switch number {
        case .int(let i): exact = T(exactly: i)
        case .double(let d): exact = T(exactly: d)
        }
        guard let exact else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: path(), debugDescription: "\(path().jsonPathDescription): \(number) is not a valid \(T.self)"))
        }
        return exact
    }

    static func decodeValue<T: Decodable>(_ type: T.Type, from value: JSON, at path: [any CodingKey]) throws -> T {
        if T.self == JSON.self, let json = value as? T { return json }
        return try T(from: JSONValueDecoder(value: value, codingPath: path))
    }
}

extension JSON {
    /// "a string \"abc\"", "an object", ... for decoding error messages.
    var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return "a boolean (\(flag))"
        case .number(let number): return "a number (\(number))"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

// MARK: - Containers

extension JSONValueDecoder {
    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: JSONObject
        let codingPath: [any CodingKey]

        var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { object.contains(key: key.stringValue) }

        private func member(_ key: Key) throws -> JSON {
            guard let value = object[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(
                    codingPath: codingPath,
                    debugDescription: "\(codingPath.jsonPathDescription): no member \"\(key.stringValue)\""))
            }
            return value
        }

        private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

        func decodeNil(forKey key: Key) throws -> Bool { try member(key).isNull }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
            try JSONValueDecoder.decode(type, from: member(key), at: path(key))
        }
        func decode(_ type: String.Type, forKey key: Key) throws -> String {
            try JSONValueDecoder.decode(type, from: member(key), at: path(key))
        }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
            try JSONValueDecoder.decode(type, from: member(key), at: path(key))
        }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
            try JSONValueDecoder.decode(type, from: member(key), at: path(key))
        }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
            try JSONValueDecoder.decodeInteger(type, from: member(key), at: path(key))
        }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
            try JSONValueDecoder.decodeInteger(type, from: member(key), at: path(key))
        }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
            try JSONValueDecoder.decodeInteger(type, from: member(key), at: path(key))
        }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
            try JSONValueDecoder.decodeInteger(type, from: member(key), at: path(key))
        }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
            try JSONValueDecoder.decodeInteger(type, from: member(key), at: path(key))
        }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
            try JSONValueDecoder.decodeInteger(type, from: member(key), at: path(key))
        }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
            try JSONValueDecoder.decodeInteger(type, from: member(key), at: path(key))
        }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
            try JSONValueDecoder.decodeInteger(type, from: member(key), at: path(key))
        }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
            try JSONValueDecoder.decodeInteger(type, from: member(key), at: path(key))
        }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
            try JSONValueDecoder.decodeInteger(type, from: member(key), at: path(key))
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try JSONValueDecoder.decodeValue(type, from: member(key), at: path(key))
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            try JSONValueDecoder(value: member(key), codingPath: path(key)).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try JSONValueDecoder(value: member(key), codingPath: path(key)).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            let key = JSONCodingKey.superKey
            return JSONValueDecoder(value: object[key.stringValue] ?? .null, codingPath: codingPath + [key])
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            JSONValueDecoder(value: object[key.stringValue] ?? .null, codingPath: path(key))
        }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let array: [JSON]
        let codingPath: [any CodingKey]
        private(set) var currentIndex = 0

        init(array: [JSON], codingPath: [any CodingKey]) {
            self.array = array
            self.codingPath = codingPath
        }

        var count: Int? { array.count }
        var isAtEnd: Bool { currentIndex >= array.count }

        private func path(at index: Int) -> [any CodingKey] { codingPath + [JSONCodingKey(index: index)] }

        /// The next element and its index, advancing past it.
        private mutating func next(_ type: Any.Type) throws -> (JSON, Int) {
            guard !isAtEnd else {
                let path = path(at: currentIndex)
                throw DecodingError.valueNotFound(type, .init(
                    codingPath: path,
                    debugDescription: "\(path.jsonPathDescription): array has only \(array.count) elements"))
            }
            let element = (array[currentIndex], currentIndex)
            currentIndex += 1
            return element
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, array[currentIndex].isNull else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool {
            let (value, index) = try next(type)
            return try JSONValueDecoder.decode(type, from: value, at: path(at: index))
        }
        mutating func decode(_ type: String.Type) throws -> String {
            let (value, index) = try next(type)
            return try JSONValueDecoder.decode(type, from: value, at: path(at: index))
        }
        mutating func decode(_ type: Double.Type) throws -> Double {
            let (value, index) = try next(type)
            return try JSONValueDecoder.decode(type, from: value, at: path(at: index))
        }
        mutating func decode(_ type: Float.Type) throws -> Float {
            let (value, index) = try next(type)
            return try JSONValueDecoder.decode(type, from: value, at: path(at: index))
        }
        mutating func decode(_ type: Int.Type) throws -> Int { try decodeInteger(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeInteger(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeInteger(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeInteger(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeInteger(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeInteger(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeInteger(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeInteger(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeInteger(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeInteger(type) }

        private mutating func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            let (value, index) = try next(type)
            return try JSONValueDecoder.decodeInteger(type, from: value, at: path(at: index))
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (value, index) = try next(type)
            return try JSONValueDecoder.decodeValue(type, from: value, at: path(at: index))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            let (value, index) = try next(JSONObject.self)
            return try JSONValueDecoder(value: value, codingPath: path(at: index)).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let (value, index) = try next([JSON].self)
            return try JSONValueDecoder(value: value, codingPath: path(at: index)).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder {
            let (value, index) = try next(JSON.self)
            return JSONValueDecoder(value: value, codingPath: path(at: index))
        }
    }

    struct SingleValueContainer: SingleValueDecodingContainer {
        let value: JSON
        let codingPath: [any CodingKey]

        func decodeNil() -> Bool { value.isNull }
        func decode(_ type: Bool.Type) throws -> Bool { try JSONValueDecoder.decode(type, from: value, at: codingPath) }
        func decode(_ type: String.Type) throws -> String { try JSONValueDecoder.decode(type, from: value, at: codingPath) }
        func decode(_ type: Double.Type) throws -> Double { try JSONValueDecoder.decode(type, from: value, at: codingPath) }
        func decode(_ type: Float.Type) throws -> Float { try JSONValueDecoder.decode(type, from: value, at: codingPath) }
        func decode(_ type: Int.Type) throws -> Int { try JSONValueDecoder.decodeInteger(type, from: value, at: codingPath) }
        func decode(_ type: Int8.Type) throws -> Int8 { try JSONValueDecoder.decodeInteger(type, from: value, at: codingPath) }
        func decode(_ type: Int16.Type) throws -> Int16 { try JSONValueDecoder.decodeInteger(type, from: value, at: codingPath) }
        func decode(_ type: Int32.Type) throws -> Int32 { try JSONValueDecoder.decodeInteger(type, from: value, at: codingPath) }
        func decode(_ type: Int64.Type) throws -> Int64 { try JSONValueDecoder.decodeInteger(type, from: value, at: codingPath) }
        func decode(_ type: UInt.Type) throws -> UInt { try JSONValueDecoder.decodeInteger(type, from: value, at: codingPath) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONValueDecoder.decodeInteger(type, from: value, at: codingPath) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONValueDecoder.decodeInteger(type, from: value, at: codingPath) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONValueDecoder.decodeInteger(type, from: value, at: codingPath) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONValueDecoder.decodeInteger(type, from: value, at: codingPath) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONValueDecoder.decodeValue(type, from: value, at: codingPath)
        }
    }
}
