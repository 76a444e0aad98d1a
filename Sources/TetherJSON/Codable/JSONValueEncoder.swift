/// An `Encoder` that builds a ``JSON`` tree directly, without going through bytes.
///
/// Containers write into reference boxes (`Encodable` hands out containers that outlive the call
/// that created them, and nested containers must land in their parent); ``resolve()`` turns the
/// finished boxes into plain values once encoding is over. Object members keep the order in which
/// the type encoded them.
final class JSONValueEncoder: Encoder {
    /// A value under construction.
    enum Node {
        case value(JSON)
        case array(ArrayBox)
        case object(ObjectBox)
        /// A `superEncoder`'s output, read when resolving.
        case encoder(JSONValueEncoder)

        func resolve() -> JSON {
            switch self {
            case .value(let value): return value
            case .array(let box): return .array(box.items.map { $0.resolve() })
            case .object(let box):
                var entries: [JSONObject.Entry?] = []
                entries.reserveCapacity(box.members.count)
                for (key, node) in box.members { entries.append(JSONObject.Entry(key: key, value: node.resolve())) }
                return .object(JSONObject(members: entries))
            case .encoder(let encoder): return encoder.resolve()
            }
        }
    }

    final class ArrayBox {
        var items: [Node] = []
    }

    final class ObjectBox {
        /// Members in encoding order. A key encoded twice is resolved like a parsed duplicate:
        /// first position, last value.
        var members: [(String, Node)] = []

        @inline(__always)
        func set(_ key: String, _ node: Node) { members.append((key, node)) }
    }

    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private(set) var node: Node?

    init(codingPath: [any CodingKey] = []) {
        self.codingPath = codingPath
    }

    /// The encoded value; a type that encoded nothing becomes `{}` (as with `JSONEncoder`).
    func resolve() -> JSON {
        node?.resolve() ?? .object(JSONObject())
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: ObjectBox
        if case .object(let existing) = node {
            box = existing
        } else {
            box = ObjectBox()
            node = .object(box)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self, box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: ArrayBox
        if case .array(let existing) = node {
            box = existing
        } else {
            box = ArrayBox()
            node = .array(box)
        }
        return UnkeyedContainer(encoder: self, box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }

    fileprivate func store(_ value: JSON) { node = .value(value) }

    // MARK: - Boxing values

    /// Encodes `value` found at `path` into a node.
    static func node<T: Encodable>(for value: T, at path: [any CodingKey]) throws -> Node {
        if T.self == JSON.self, let json = value as? JSON { return .value(json) }
        let child = JSONValueEncoder(codingPath: path)
        try value.encode(to: child)
        return child.node ?? .value(.object(JSONObject()))
    }

    static func number(_ value: Double, at path: @autoclosure () -> [any CodingKey]) throws -> JSON {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(
                codingPath: path(), debugDescription: "\(value) at \(path().jsonPathDescription) has no JSON representation"))
        }
        return .double(value)
    }

    static func number(_ value: Float, at path: @autoclosure () -> [any CodingKey]) throws -> JSON {
        // Through the shortest decimal text, so 0.1 as Float becomes 0.1, not 0.100000001490116.
        try number(value.isFinite ? Double("\(value)") ?? Double(value) : Double(value), at: path())
    }

    static func number<T: BinaryInteger>(_ value: T, at path: @autoclosure () -> [any CodingKey]) throws -> JSON {
        guard let exact = Int64(exactly: value) else {
            throw EncodingError.invalidValue(value, .init(
                codingPath: path(),
                debugDescription: "\(value) at \(path().jsonPathDescription) is outside the Int64 range that JSON numbers keep exactly"))
        }
        return .int(exact)
    }
}

// MARK: - Containers

extension JSONValueEncoder {
    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: JSONValueEncoder
        let box: ObjectBox
        let codingPath: [any CodingKey]

        private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

        mutating func encodeNil(forKey key: Key) throws { box.set(key.stringValue, .value(.null)) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { box.set(key.stringValue, .value(.bool(value))) }
        mutating func encode(_ value: String, forKey key: Key) throws { box.set(key.stringValue, .value(.string(value))) }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            box.set(key.stringValue, .value(try JSONValueEncoder.number(value, at: path(key))))
        }
        mutating func encode(_ value: Float, forKey key: Key) throws {
            box.set(key.stringValue, .value(try JSONValueEncoder.number(value, at: path(key))))
        }
        mutating func encode(_ value: Int, forKey key: Key) throws { box.set(key.stringValue, .value(.int(Int64(value)))) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { box.set(key.stringValue, .value(.int(Int64(value)))) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { box.set(key.stringValue, .value(.int(Int64(value)))) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { box.set(key.stringValue, .value(.int(Int64(value)))) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { box.set(key.stringValue, .value(.int(value))) }
        mutating func encode(_ value: UInt, forKey key: Key) throws {
            box.set(key.stringValue, .value(try JSONValueEncoder.number(value, at: path(key))))
        }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { box.set(key.stringValue, .value(.int(Int64(value)))) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { box.set(key.stringValue, .value(.int(Int64(value)))) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { box.set(key.stringValue, .value(.int(Int64(value)))) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws {
            box.set(key.stringValue, .value(try JSONValueEncoder.number(value, at: path(key))))
        }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            box.set(key.stringValue, try JSONValueEncoder.node(for: value, at: path(key)))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            let nested = ObjectBox()
            box.set(key.stringValue, .object(nested))
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, box: nested, codingPath: path(key)))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let nested = ArrayBox()
            box.set(key.stringValue, .array(nested))
            return UnkeyedContainer(encoder: encoder, box: nested, codingPath: path(key))
        }

        mutating func superEncoder() -> any Encoder {
            let child = JSONValueEncoder(codingPath: codingPath + [JSONCodingKey.superKey])
            box.set(JSONCodingKey.superKey.stringValue, .encoder(child))
            return child
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            let child = JSONValueEncoder(codingPath: path(key))
            box.set(key.stringValue, .encoder(child))
            return child
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let encoder: JSONValueEncoder
        let box: ArrayBox
        let codingPath: [any CodingKey]
        var count: Int { box.items.count }

        private var nextPath: [any CodingKey] { codingPath + [JSONCodingKey(index: box.items.count)] }

        mutating func encodeNil() throws { box.items.append(.value(.null)) }
        mutating func encode(_ value: Bool) throws { box.items.append(.value(.bool(value))) }
        mutating func encode(_ value: String) throws { box.items.append(.value(.string(value))) }
        mutating func encode(_ value: Double) throws { box.items.append(.value(try JSONValueEncoder.number(value, at: nextPath))) }
        mutating func encode(_ value: Float) throws { box.items.append(.value(try JSONValueEncoder.number(value, at: nextPath))) }
        mutating func encode(_ value: Int) throws { box.items.append(.value(.int(Int64(value)))) }
        mutating func encode(_ value: Int8) throws { box.items.append(.value(.int(Int64(value)))) }
        mutating func encode(_ value: Int16) throws { box.items.append(.value(.int(Int64(value)))) }
        mutating func encode(_ value: Int32) throws { box.items.append(.value(.int(Int64(value)))) }
        mutating func encode(_ value: Int64) throws { box.items.append(.value(.int(value))) }
        mutating func encode(_ value: UInt) throws { box.items.append(.value(try JSONValueEncoder.number(value, at: nextPath))) }
        mutating func encode(_ value: UInt8) throws { box.items.append(.value(.int(Int64(value)))) }
        mutating func encode(_ value: UInt16) throws { box.items.append(.value(.int(Int64(value)))) }
        mutating func encode(_ value: UInt32) throws { box.items.append(.value(.int(Int64(value)))) }
        mutating func encode(_ value: UInt64) throws { box.items.append(.value(try JSONValueEncoder.number(value, at: nextPath))) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            box.items.append(try JSONValueEncoder.node(for: value, at: nextPath))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let path = nextPath
            let nested = ObjectBox()
            box.items.append(.object(nested))
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, box: nested, codingPath: path))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let path = nextPath
            let nested = ArrayBox()
            box.items.append(.array(nested))
            return UnkeyedContainer(encoder: encoder, box: nested, codingPath: path)
        }

        mutating func superEncoder() -> any Encoder {
            let child = JSONValueEncoder(codingPath: nextPath)
            box.items.append(.encoder(child))
            return child
        }
    }

    struct SingleValueContainer: SingleValueEncodingContainer {
        let encoder: JSONValueEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws { encoder.store(.null) }
        mutating func encode(_ value: Bool) throws { encoder.store(.bool(value)) }
        mutating func encode(_ value: String) throws { encoder.store(.string(value)) }
        mutating func encode(_ value: Double) throws { encoder.store(try JSONValueEncoder.number(value, at: codingPath)) }
        mutating func encode(_ value: Float) throws { encoder.store(try JSONValueEncoder.number(value, at: codingPath)) }
        mutating func encode(_ value: Int) throws { encoder.store(.int(Int64(value))) }
        mutating func encode(_ value: Int8) throws { encoder.store(.int(Int64(value))) }
        mutating func encode(_ value: Int16) throws { encoder.store(.int(Int64(value))) }
        mutating func encode(_ value: Int32) throws { encoder.store(.int(Int64(value))) }
        mutating func encode(_ value: Int64) throws { encoder.store(.int(value)) }
        mutating func encode(_ value: UInt) throws { encoder.store(try JSONValueEncoder.number(value, at: codingPath)) }
        mutating func encode(_ value: UInt8) throws { encoder.store(.int(Int64(value))) }
        mutating func encode(_ value: UInt16) throws { encoder.store(.int(Int64(value))) }
        mutating func encode(_ value: UInt32) throws { encoder.store(.int(Int64(value))) }
        mutating func encode(_ value: UInt64) throws { encoder.store(try JSONValueEncoder.number(value, at: codingPath)) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            encoder.store(try JSONValueEncoder.node(for: value, at: codingPath).resolve())
        }
    }
}
