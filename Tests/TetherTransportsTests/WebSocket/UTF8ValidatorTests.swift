import Foundation
import Testing
import TetherTestSupport
@testable import TetherTransports

@Suite struct UTF8ValidatorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var id: String
        var bytes: [UInt8]
        var valid: Bool
        var testDescription: String { id }
    }

    /// The 132 Autobahn 6.5-6.23 vectors from Fixtures/conformance/websocket/utf8_vectors.json.
    static func vectors() throws -> [Vector] {
        let data = try FixturePaths.data(FixturePaths.conformance("websocket/utf8_vectors.json"))
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        var out: [Vector] = []
        for category in root?["categories"] as? [[String: Any]] ?? [] {
            for sequence in category["sequences"] as? [[String: Any]] ?? [] {
                let hex = Array((sequence["hex"] as? String ?? "").utf8)
                var bytes: [UInt8] = []
                var index = 0
                while index + 1 < hex.count {
                    bytes.append(UInt8(String(decoding: hex[index...(index + 1)], as: UTF8.self), radix: 16) ?? 0)
                    index += 2
                }
                out.append(Vector(id: sequence["id"] as? String ?? "?", bytes: bytes, valid: sequence["valid"] as? Bool ?? false))
            }
        }
        return out
    }

    @Test func vectorFileIsComplete() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count == 132)
        #expect(vectors.filter(\.valid).count == 63)
    }

    @Test func everyVectorWholeAndSplitAtEveryByte() throws {
        for vector in try Self.vectors() {
            #expect(UTF8Validator.isValid(vector.bytes) == vector.valid, "\(vector.id)")
            for split in 0...vector.bytes.count {
                var validator = UTF8Validator()
                let result = validator.consume(vector.bytes[..<split]) && validator.consume(vector.bytes[split...])
                    && validator.isAtBoundary
                #expect(result == vector.valid, "\(vector.id) split at \(split)")
            }
        }
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xA0, 0xED, 0x9F, 0xEF, 0xF0, 0x90, 0xF4, 0x8F, 0xF5, 0xFF]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            #expect(UTF8Validator.isValid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }
}
