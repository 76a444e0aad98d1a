/// A coding key for object members and array positions met while bridging ``JSON`` and `Codable`.
struct JSONCodingKey: CodingKey, Sendable {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }

    /// The key of element `index` in an array, shown as `[index]` in coding paths.
    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    /// The key `super` that `superEncoder()` / `superDecoder()` use.
    static let superKey = JSONCodingKey(stringValue: "super")
}

extension Array where Element == any CodingKey {
    /// A coding path as a reader wants it: `todos[2].owner`.
    var jsonPathDescription: String {
        var text = ""
        for key in self {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text.isEmpty ? "<root>" : text
    }
}
