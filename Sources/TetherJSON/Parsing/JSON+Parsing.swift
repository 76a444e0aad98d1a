// Public entry points of the parser: every input shape funnels into one contiguous UTF-8 buffer.

extension JSON {
    /// Parses a UTF-8 JSON text (RFC 8259, strict).
    ///
    /// Integers in `Int64` range stay exact, `-0` keeps its sign as a `Double`, other numbers are
    /// correctly rounded `Double`s, and numbers beyond `Double`'s range are refused. See
    /// ``JSONParseOptions`` for limits, invalid Unicode and duplicate keys.
    public init(parsing bytes: [UInt8], options: JSONParseOptions = .init()) throws(JSONParseError) {
        self = try bytes.withUnsafeBufferPointer { JSONParser.parse($0, options: options) }.get()
    }

    /// Parses a JSON text held in a `String`.
    public init(parsing text: String, options: JSONParseOptions = .init()) throws(JSONParseError) {
        var text = text
        self = try text.withUTF8 { JSONParser.parse($0, options: options) }.get()
    }

    /// Parses UTF-8 bytes in memory you own (a socket buffer, a memory-mapped file).
    public init(parsing bytes: UnsafeRawBufferPointer, options: JSONParseOptions = .init()) throws(JSONParseError) {
        self = try bytes.withMemoryRebound(to: UInt8.self) { JSONParser.parse($0, options: options) }.get()
    }

    /// Parses any byte sequence; contiguous ones (`Data`, `ArraySlice`, `String.UTF8View`) are
    /// read in place, others are copied into an array first (never more than
    /// ``JSONParseOptions/maximumBytes`` + 1 bytes of them).
    @_disfavoredOverload
    public init(parsing bytes: some Sequence<UInt8>, options: JSONParseOptions = .init()) throws(JSONParseError) {
        if let result = bytes.withContiguousStorageIfAvailable({ JSONParser.parse($0, options: options) }) {
            self = try result.get()
            return
        }
        var copy: [UInt8] = []
        copy.reserveCapacity(bytes.underestimatedCount)
        if let limit = options.maximumBytes {
            for byte in bytes {
                copy.append(byte)
                if copy.count > limit { break }  // enough to report `tooLarge` without reading on
            }
        } else {
            copy.append(contentsOf: bytes)
        }
        self = try copy.withUnsafeBufferPointer { JSONParser.parse($0, options: options) }.get()
    }
}
