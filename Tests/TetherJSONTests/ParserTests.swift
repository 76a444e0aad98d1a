import Foundation
import Testing
import TetherTestSupport
import TetherJSON

@Suite struct ParserTests {
    static func parse(_ text: String, _ options: JSONParseOptions = .init()) throws(JSONParseError) -> JSON {
        try JSON(parsing: text, options: options)
    }

    static func failure(_ text: String, _ options: JSONParseOptions = .init()) -> JSONParseError? {
        do {
            _ = try JSON(parsing: Array(text.utf8), options: options)
            return nil
        } catch {
            return error
        }
    }

    @Suite struct Values {
        @Test func parsesEveryKind() throws {
            let value = try parse(#" { "a" : [1, -2.5, "x", true, false, null, {}, []], "b": {"c": "\u00e9\ud83d\ude00"} } "#)
            #expect(value == ["a": [1, -2.5, "x", true, false, nil, [:], []], "b": ["c": "é😀"]])
            #expect(value.objectValue?.keys == ["a", "b"])
        }

        @Test func inputShapesAgree() throws {
            let text = #"{"k":[1,2,{"z":"ü"}]}"#
            let expected = try parse(text)
            #expect(try JSON(parsing: Array(text.utf8)) == expected)
            #expect(try JSON(parsing: Data(text.utf8)) == expected)
            #expect(try JSON(parsing: Array(text.utf8)[...]) == expected)
            #expect(try JSON(parsing: text.utf8) == expected)
            #expect(try JSON(parsing: AnySequence(Array(text.utf8))) == expected)
            let viaRaw = try Array(text.utf8).withUnsafeBytes { raw throws(JSONParseError) in try JSON(parsing: raw) }
            #expect(viaRaw == expected)
            #expect(throws: JSONParseError.self) { try JSON(parsing: [UInt8]()) }
        }

        @Test func escapes() throws {
            #expect(try parse(#""\"\\\/\b\f\n\r\t\u0000\u001F""#) == .string("\"\\/\u{8}\u{C}\n\r\t\u{0}\u{1F}"))
            #expect(try parse(#""a\u0062c""#) == "abc")
            #expect(try parse(#""\uD834\uDD1E""#) == "𝄞")
            // Long strings on both sides of the word-at-a-time scan.
            for length in 0..<40 {
                let body = String(repeating: "x", count: length)
                #expect(try parse("\"\(body)\"") == .string(body))
                #expect(try parse("\"\(body)\\n\(body)é\"") == .string(body + "\n" + body + "é"))
                #expect(try parse("[\"\(body)\"]") == [.string(body)])
            }
        }

        @Test func integersStayExact() throws {
            #expect(try parse("9223372036854775807") == .int(Int64.max))
            #expect(try parse("-9223372036854775808") == .int(Int64.min))
            if case .number(.int(let i)) = try parse("-9223372036854775808") { #expect(i == Int64.min) } else {
                Issue.record("Int64.min should stay an integer")
            }
            if case .number(.double(let d)) = try parse("9223372036854775808") { #expect(d == 9.223372036854775808e18) } else {
                Issue.record("2^63 should become a Double")
            }
            #expect(try parse("0") == .int(0))
            #expect(try parse("1E2") == .double(100))
            #expect(try parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
        }

        @Test func negativeZeroKeepsItsSign() throws {
            guard case .number(.double(let d)) = try parse("-0") else {
                Issue.record("-0 should be a double")
                return
            }
            #expect(d == 0 && d.sign == .minus)
            #expect(try parse("-0").serialized() == "-0.0")
            #expect(try parse("-0.0e5").serialized() == "-0.0")
        }

        @Test func doublesAreCorrectlyRounded() throws {
            var rng = SplitMix64(seed: 42)
            for _ in 0..<2_000 {
                let d = Double(bitPattern: rng.next() & ~(0x7FF << 52) | (UInt64.random(in: 900...1150, using: &rng) << 52))
                for text in [d.description, "\(d)", String(format: "%.17g", d), String(format: "%.6e", d)] {
                    let expected = Double(text)!
                    #expect(try parse(text).doubleValue == expected, "\(text)")
                }
            }
            #expect(try parse("0.1").doubleValue == 0.1)
            #expect(try parse("2.2250738585072014e-308").doubleValue == 2.2250738585072014e-308)
            #expect(try parse("1e-400").doubleValue == 0)
            #expect(try parse("0.000000000000000000000000000001").doubleValue == 1e-30)
        }
    }

    @Suite struct Repetition {
        /// Many repeated and colliding short strings, as keys and values (the parser caches them).
        @Test func repeatedShortStringsStayDistinct() throws {
            var rng = SplitMix64(seed: 99)
            let alphabet = Array("ab\\\"é\u{1}".unicodeScalars)
            var array: [JSON] = []
            var object = JSONObject()
            for i in 0..<3_000 {
                var text = String.UnicodeScalarView()
                for _ in 0..<Int.random(in: 0...9, using: &rng) {
                    text.append(alphabet[Int.random(in: 0..<(i % 7 == 0 ? alphabet.count : 2), using: &rng)])
                }
                let string = String(text)
                array.append(.string(string))
                object[string] = .int(Int64(i))
            }
            let value: JSON = ["array": .array(array), "object": .object(object)]
            let reparsed = try JSON(parsing: value.serializedBytes())
            #expect(reparsed == value)
            #expect(reparsed["object"]?.objectValue?.keys == object.keys)
        }
    }

    @Suite struct Fuzz {
        /// Random damage to valid documents: every outcome is a value that round-trips or a
        /// positioned JSONParseError, never a crash.
        @Test func damagedDocumentsFailCleanly() throws {
            var rng = SplitMix64(seed: 8259)
            var generator = RandomSerializableJSON(seed: 8259)
            let interesting: [UInt8] = Array("{}[]\",:\\ \n0-1eE.+tfnu".utf8) + [0x00, 0x1F, 0x80, 0xBF, 0xC0, 0xED, 0xF4, 0xFF]
            var rejected = 0
            for round in 0..<1_500 {
                var bytes = generator.value().serializedBytes(options: round % 3 == 0 ? .prettyPrinted : [])
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    let byte = interesting[Int.random(in: 0..<interesting.count, using: &rng)]
                    switch Int.random(in: 0...3, using: &rng) {
                    case 0: bytes[at] = byte
                    case 1: bytes.insert(byte, at: at)
                    case 2: bytes.remove(at: at)
                    default: bytes.removeLast(Int.random(in: 0...(bytes.count - at), using: &rng))
                    }
                }
                for options in [JSONParseOptions(), JSONParseOptions(maximumDepth: 3, invalidUnicode: .replace)] {
                    do {
                        let value = try JSON(parsing: bytes, options: options)
                        #expect(try JSON(parsing: value.serializedBytes()) == value)
                    } catch {
                        rejected += 1
                        #expect(error.offset >= 0 && error.offset <= bytes.count)
                        #expect(error.line >= 1 && error.column >= 1)
                        #expect(!error.description.isEmpty)
                    }
                }
            }
            #expect(rejected > 500)
        }
    }

    @Suite struct Objects {
        @Test func duplicateKeysLastWinsFirstPosition() throws {
            let value = try parse(#"{"a":1,"b":2,"a":3}"#)
            #expect(value.objectValue?.keys == ["a", "b"])
            #expect(value["a"] == 3)
            // A duplicate at the very end of the input, spelled with an escape, long keys, big objects.
            #expect(try parse(#"{"a":"b","a":"c"}"#) == ["a": "c"])
            #expect(try parse(#"{"a":1,"\u0061":2}"#) == ["a": 2])
            #expect(try parse(#"{"a_long_key_name":1,"a_long_key_name":2}"#) == ["a_long_key_name": 2])
            #expect(try parse(#"{"a_long_key_nameX":1,"b_long_key_nameX":2}"#).objectValue?.count == 2)
            var members = (0..<30).map { "\"k\($0)\":\($0)" }
            members.append("\"k7\":\"again\"")
            let big = try parse("{" + members.joined(separator: ",") + "}")
            #expect(big.objectValue?.count == 30)
            #expect(big["k7"] == "again")
            #expect(big.objectValue?.keys.firstIndex(of: "k7") == 7)
            // Canonically equivalent spellings are one key (Swift String equality).
            #expect(try parse("{\"\u{E9}\":1,\"e\u{301}\":2}").objectValue?.count == 1)
        }
    }

    @Suite struct Errors {
        @Test func positionsAreReported() throws {
            let text = "{\n  \"a\": 1,\n  \"b\": 2 x\n}"
            let error = try #require(failure(text))
            #expect(error.line == 3)
            #expect(error.column == 10)
            #expect(error.offset == Array(text.utf8).firstIndex(of: UInt8(ascii: "x")))
            #expect(error.reason == .unexpectedCharacter(UInt8(ascii: "x"), expected: .objectCommaOrEnd))
            #expect(error.description == "line 3, column 10 (byte 21): expected ',' or '}' after object member, found 'x'")
        }

        @Test func columnsCountScalars() throws {
            let error = try #require(failure("[\"é😀\", ?]"))
            #expect(error.line == 1)
            #expect(error.column == 8)
            #expect(error.offset == 11)
        }

        @Test func reasons() throws {
            #expect(failure("")?.reason == .unexpectedEnd(expected: .value))
            #expect(failure("[1,]")?.reason == .unexpectedCharacter(UInt8(ascii: "]"), expected: .value))
            #expect(failure("{\"a\" 1}")?.reason == .unexpectedCharacter(UInt8(ascii: "1"), expected: .colon))
            #expect(failure("{\"a\":1,}")?.reason == .unexpectedCharacter(UInt8(ascii: "}"), expected: .key))
            #expect(failure("[1 2]")?.reason == .unexpectedCharacter(UInt8(ascii: "2"), expected: .arrayCommaOrEnd))
            #expect(failure("[\"abc")?.reason == .unexpectedEnd(expected: .closingQuote))
            #expect(failure("01")?.reason == .invalidNumber)
            #expect(failure("1.")?.reason == .unexpectedEnd(expected: .digit))
            #expect(failure("-x")?.reason == .unexpectedCharacter(UInt8(ascii: "x"), expected: .digit))
            #expect(failure("1e999")?.reason == .numberOutOfRange)
            #expect(failure("-1e999")?.reason == .numberOutOfRange)
            #expect(failure(#""\x""#)?.reason == .invalidEscape)
            #expect(failure(#""\u12G4""#)?.reason == .invalidEscape)
            #expect(failure("\"a\u{1}b\"")?.reason == .controlCharacterInString(1))
            #expect(failure(#""\uD800""#)?.reason == .loneSurrogate)
            #expect(failure(#""\uDC00\uD800""#)?.reason == .loneSurrogate)
            #expect(failure(#""\uD800\u0041""#)?.reason == .loneSurrogate)
            #expect(failure("tru")?.reason == .unexpectedEnd(expected: .literal("true")))
            #expect(failure("nul1")?.reason == .unexpectedCharacter(UInt8(ascii: "1"), expected: .literal("null")))
            #expect(failure("{} {}")?.reason == .trailingGarbage)
            #expect(failure("\u{FEFF}{}")?.reason == .unexpectedCharacter(0xEF, expected: .value))
        }

        @Test func invalidUTF8IsRejectedOrReplaced() throws {
            for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x80]] {
                let input = [UInt8(ascii: "\""), UInt8(ascii: "a")] + bad + [UInt8(ascii: "\"")]
                #expect(throws: JSONParseError.self) { try JSON(parsing: input) }
                do {
                    _ = try JSON(parsing: input)
                } catch {
                    #expect(error.reason == .invalidUTF8)
                    #expect(error.offset == 2)
                }
                let replaced = try JSON(parsing: input, options: .init(invalidUnicode: .replace))
                #expect(replaced.stringValue?.hasPrefix("a\u{FFFD}") == true)
            }
            let lone = try JSON(parsing: #""x\uD800y\uDC00""#, options: .init(invalidUnicode: .replace))
            #expect(lone == "x\u{FFFD}y\u{FFFD}")
        }

        @Test func depthLimit() throws {
            let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
            #expect(try parse(ok).arrayValue != nil)
            let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
            #expect(failure(deep)?.reason == .tooDeep(limit: 512))
            #expect(failure(deep)?.offset == 512)
            let objects = String(repeating: "{\"a\":", count: 11) + "1" + String(repeating: "}", count: 11)
            #expect(failure(objects, .init(maximumDepth: 10))?.reason == .tooDeep(limit: 10))
            #expect(try parse(objects, .init(maximumDepth: 11))["a"]?["a"] != nil)
            // A raised limit is honoured (the parser keeps open containers on the heap).
            let veryDeep = String(repeating: "[", count: 3_000) + String(repeating: "]", count: 3_000)
            #expect(try parse(veryDeep, .init(maximumDepth: 3_000)).arrayValue?.count == 1)
            #expect(failure(String(repeating: "[", count: 100_000))?.reason == .tooDeep(limit: 512))
        }

        @Test func sizeLimit() throws {
            let text = "[1, 2, 3]"
            #expect(try parse(text, .init(maximumBytes: 9)) == [1, 2, 3])
            let error = try #require(failure(text, .init(maximumBytes: 8)))
            #expect(error.reason == .tooLarge(limit: 8))
            #expect(error.offset == 8)
            // A lazy, endless sequence stops being read just past the limit.
            let endless = sequence(first: UInt8(ascii: "[")) { _ in UInt8(ascii: " ") }
            #expect(throws: JSONParseError.self) { try JSON(parsing: endless, options: .init(maximumBytes: 1_000)) }
            do {
                _ = try JSON(parsing: endless, options: .init(maximumBytes: 1_000))
            } catch {
                #expect(error.reason == .tooLarge(limit: 1_000))
            }
        }
    }
}

