/// A parsed HTTP/1.1 status line and header fields.
struct HTTPResponseHead: Sendable, Equatable {
    struct Field: Sendable, Equatable {
        var name: String
        var value: String
    }

    var status: Int
    var reason: String
    /// Fields in arrival order; names keep their case.
    var headers: [Field]

    /// The first value of `name` (case-insensitive), or all values joined with ", " when it repeats.
    func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        let values = headers.filter { $0.name.lowercased() == lowered }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// Parses a head (status line, fields, blank line) as collected by ``HTTPResponseParser``.
    init(parsing bytes: [UInt8]) throws(HTTPResponseError) {
        var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map { line in
            line.last == 13 ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first else { throw .malformedHead("empty response head") }
        // HTTP-version SP status-code SP [reason-phrase]
        let text = String(decoding: statusLine, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]),
              status >= 100
        else { throw .malformedHead("bad status line: \(text.prefix(80))") }
        self.status = status
        reason = parts.count == 3 ? String(parts[2]) : ""
        headers = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw .malformedHead("bad header line: \(String(decoding: line.prefix(80), as: UTF8.self))")
            }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(HTTPSyntax.isTokenByte) else {
                throw .malformedHead("bad header name: \(String(decoding: name.prefix(80), as: UTF8.self))")
            }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace()
            headers.append(Field(name: String(decoding: name, as: UTF8.self), value: value))
        }
    }

    init(status: Int, reason: String = "", headers: [Field] = []) {
        self.status = status
        self.reason = reason
        self.headers = headers
    }
}
