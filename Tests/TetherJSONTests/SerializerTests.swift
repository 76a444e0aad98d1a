import Testing
import TetherTestSupport
import TetherJSON

/// Random JSON documents from a seed, covering the characters and numbers that are easy to get wrong.
struct RandomSerializableJSON {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    mutating func string() -> String {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}",
                                          "é", "ß", "€", "\u{2028}", "😀", "𝄞", "\u{FFFD}", "\u{10FFFF}"]
        var text = String.UnicodeScalarView()
        for _ in 0..<int(0...20) {
            if int(0...3) == 0 {
                text.append(alphabet[int(0...(alphabet.count - 1))])
            } else {
                text.append(Unicode.Scalar(UInt8(int(0x20...0x7E))))
            }
        }
        return String(text)
    }

    mutating func double() -> Double {
        while true {
            let d = Double(bitPattern: rng.next())
            if d.isFinite { return d }
        }
    }

    mutating func number() -> JSON {
        switch int(0...5) {
        case 0: return .int(Int64(bitPattern: rng.next()))
        case 1: return .int(Int64(int(-1000...1000)))
        case 2: return .double(double())
        case 3: return .double(Double(int(-1_000_000...1_000_000)) / 1000)
        case 4: return .int([Int64.min, Int64.max, 0, -1][int(0...3)])
        default: return .double([0.1, -0.0, 1e20, 1e-7, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, 1.0][int(0...6)])
        }
    }

    mutating func value(depth: Int = 0) -> JSON {
        switch int(0...(depth < 5 ? 7 : 4)) {
        case 0: return .null
        case 1: return .bool(int(0...1) == 1)
        case 2, 3: return number()
        case 4: return .string(string())
        case 5: return .array((0..<int(0...6)).map { _ in value(depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<int(0...(int(0...4) == 0 ? 20 : 6)) { object[string()] = value(depth: depth + 1) }
            return .object(object)
        }
    }
}

@Suite struct SerializerTests {
    static let layouts: [JSONWriteOptions] = [[], [.prettyPrinted], [.sortedKeys], [.prettyPrinted, .sortedKeys]]

    @Test func randomDocumentsRoundTrip() throws {
        var generator = RandomSerializableJSON(seed: 20_261_126)
        for _ in 0..<500 {
            let document = generator.value()
            for options in Self.layouts {
                let bytes = document.serializedBytes(options: options)
                let reparsed = try JSON(parsing: bytes)
                #expect(reparsed == document, "\(document.serialized(options: options))")
                // Order survives unless sorting was asked for; bytes are stable across a round trip.
                #expect(reparsed.serializedBytes(options: options) == bytes)
            }
        }
    }

    @Test func compactAndPrettyLayout() {
        let value: JSON = ["b": [1, 2, [:], []], "a": ["x": nil], "c": "s"]
        #expect(value.serialized() == #"{"b":[1,2,{},[]],"a":{"x":null},"c":"s"}"#)
        #expect(value.serialized(options: .sortedKeys) == #"{"a":{"x":null},"b":[1,2,{},[]],"c":"s"}"#)
        #expect(value.serialized(options: .prettyPrinted) == """
            {
              "b": [
                1,
                2,
                {},
                []
              ],
              "a": {
                "x": null
              },
              "c": "s"
            }
            """)
        #expect(value.description == value.serialized())
        #expect(value.debugDescription == "JSON(" + value.serialized() + ")")
    }

    @Test func sortedKeysUseUTF8ByteOrder() {
        // String's `<` normalizes "a\u{301}" to "á" and puts it after "b"; byte order puts it first.
        let value: JSON = ["é": 1, "b": 2, "a\u{301}": 3, "Z": 4, "😀": 5, "\u{FFFF}": 6, "": 7]
        let keys = ["", "Z", "a\u{301}", "b", "é", "\u{FFFF}", "😀"]
        #expect(!("a\u{301}" < "b"))
        #expect(value.serialized(options: .sortedKeys) == "{" + keys.map { "\"\($0)\":\(value[$0]!)" }.joined(separator: ",") + "}")
    }

    @Test func escapesOnlyWhatJSONRequires() {
        let text = "q\"b\\s/n\nr\rt\tb\u{8}f\u{C}z\u{0}u\u{1F}d\u{7F}é😀\u{2028}"
        #expect(JSON.string(text).serialized() == #""q\"b\\s/n\nr\rt\tb\bf\fz\u0000u\u001fd"# + "\u{7F}é😀\u{2028}\"")
    }

    @Test func numbersPrintExactly() throws {
        #expect(JSON.int(Int64.max).serialized() == "9223372036854775807")
        #expect(JSON.int(Int64.min).serialized() == "-9223372036854775808")
        #expect(JSON.int(0).serialized() == "0")
        #expect(JSON.int(-7).serialized() == "-7")
        #expect(JSON.double(1.0).serialized() == "1.0")
        #expect(JSON.double(1e20).serialized() == "1e+20")
        #expect(JSON.double(0.1).serialized() == "0.1")
        #expect(JSON.double(-0.0).serialized() == "-0.0")
        #expect(JSON.double(.nan).serialized() == "null")
        #expect(JSON.double(-.infinity).serialized() == "null")
        #expect(JSONNumber.double(2.5).description == "2.5")

        var rng = SplitMix64(seed: 7)
        for _ in 0..<5_000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            let reparsed = try JSON(parsing: JSON.double(d).serializedBytes())
            #expect(reparsed.doubleValue?.bitPattern == d.bitPattern, "\(d)")
            let i = Int64(bitPattern: rng.next())
            #expect(try JSON(parsing: JSON.int(i).serializedBytes()) == .int(i))
        }
    }

    @Test func appendsIntoAnExistingBuffer() {
        var buffer = Array("prefix:".utf8)
        JSON.int(1).serialize(into: &buffer)
        buffer.append(UInt8(ascii: ","))
        (["k": [true]] as JSON).serialize(into: &buffer, options: .prettyPrinted)
        #expect(String(decoding: buffer, as: UTF8.self) == "prefix:1,{\n  \"k\": [\n    true\n  ]\n}")
    }
}
