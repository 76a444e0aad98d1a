import Foundation
import Testing
import TetherJSON
import TetherTestSupport

/// nst/JSONTestSuite (Fixtures/conformance/json-parsing): `y_` must parse, `n_` must fail with a
/// typed error, `i_` may go either way but must not crash; `test_transform` must not crash either.
@Suite struct JSONTestSuiteTests {
    static func files(_ folder: String, prefix: String) -> [String] {
        let directory = FixturePaths.conformance("json-parsing/\(folder)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
    }

    static func bytes(_ folder: String, _ name: String) throws -> [UInt8] {
        [UInt8](try FixturePaths.data(FixturePaths.conformance("json-parsing/\(folder)/\(name)")))
    }

    @Test func suiteIsPresent() {
        #expect(Self.files("test_parsing", prefix: "y_").count >= 95)
        #expect(Self.files("test_parsing", prefix: "n_").count >= 180)
        #expect(Self.files("test_parsing", prefix: "i_").count >= 30)
        #expect(Self.files("test_transform", prefix: "").count >= 20)
    }

    @Test(arguments: files("test_parsing", prefix: "y_"))
    func accepts(_ name: String) throws {
        let input = try Self.bytes("test_parsing", name)
        let value = try JSON(parsing: input)
        // Whatever was accepted must serialize to text that parses back to the same value.
        #expect(try JSON(parsing: value.serializedBytes()) == value)
        #expect(try JSON(parsing: value.serializedBytes(options: [.prettyPrinted, .sortedKeys])) == value)
    }

    @Test(arguments: files("test_parsing", prefix: "n_"))
    func rejects(_ name: String) throws {
        let input = try Self.bytes("test_parsing", name)
        #expect(throws: JSONParseError.self) { try JSON(parsing: input) }
    }

    @Test(arguments: files("test_parsing", prefix: "i_"))
    func implementationDefined(_ name: String) throws {
        let input = try Self.bytes("test_parsing", name)
        do {
            let value = try JSON(parsing: input)
            #expect(try JSON(parsing: value.serializedBytes()) == value)
        } catch {
            #expect(error.offset >= 0 && error.offset <= input.count)
            #expect(error.line >= 1 && error.column >= 1)
        }
    }

    @Test(arguments: files("test_transform", prefix: ""))
    func transforms(_ name: String) throws {
        let input = try Self.bytes("test_transform", name)
        do {
            let value = try JSON(parsing: input)
            #expect(try JSON(parsing: value.serializedBytes()) == value)
        } catch {
            #expect(error.offset >= 0 && error.offset <= input.count)
        }
    }
}
