// Public face of the serializer: bytes for the wire, String for people, an append API for hot paths.

extension JSON {
    /// Appends this value's JSON text to `buffer`: the path for framing many values into one
    /// reused buffer.
    public func serialize(into buffer: inout [UInt8], options: JSONWriteOptions = []) {
        var writer = ByteWriter()
        JSONSerializer(options: options).write(self, into: &writer)
        buffer.append(contentsOf: writer.bytes)
    }

    /// This value's JSON text as UTF-8 bytes.
    public func serializedBytes(options: JSONWriteOptions = []) -> [UInt8] {
        var writer = ByteWriter()
        JSONSerializer(options: options).write(self, into: &writer)
        return Array(writer.bytes)
    }

    /// This value's JSON text.
    public func serialized(options: JSONWriteOptions = []) -> String {
        var writer = ByteWriter()
        JSONSerializer(options: options).write(self, into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

extension JSON: CustomStringConvertible {
    /// Compact JSON text in insertion order.
    public var description: String { serialized() }
}

extension JSON: CustomDebugStringConvertible {
    /// `JSON(<compact text>)`, to tell a value from a string that holds JSON text.
    public var debugDescription: String { "JSON(" + serialized() + ")" }
}

extension JSONNumber: CustomStringConvertible {
    /// The number as JSON writes it: `42`, `0.5`, `1e+20`.
    public var description: String {
        var writer = ByteWriter(capacity: 24)
        JSONSerializer.write(self, into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

extension JSONObject: CustomStringConvertible {
    /// Compact JSON text in insertion order.
    public var description: String { JSON.object(self).serialized() }
}
