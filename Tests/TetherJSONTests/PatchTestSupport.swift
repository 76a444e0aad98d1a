// Shared by the pointer, patch and diff tests: fixture loading and a seeded random JSON generator.
import Foundation
import TetherJSON
import TetherTestSupport

enum PatchFixtures {
    /// Parses a file under `Fixtures/conformance/`.
    static func load(_ relativePath: String) throws -> JSON {
        let data = try FixturePaths.data(FixturePaths.conformance(relativePath))
        return try JSON(parsing: [UInt8](data))
    }
}


/// Random documents with awkward keys (`~`, `/`, empty, digits, non-ASCII) and mixed nesting.
struct RandomJSON {
    var rng: SplitMix64

    static let keyAlphabet: [String] = ["a", "b", "c", "~", "/", "0", "1", "-", "é", "~1", " ", "%"]

    mutating func key() -> String {
        let length = Int.random(in: 0...3, using: &rng)
        return (0..<length).map { _ in Self.keyAlphabet.randomElement(using: &rng)! }.joined()
    }

    mutating func scalar() -> JSON {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: -5...5, using: &rng))
        case 3: return .double(Double(Int.random(in: -100...100, using: &rng)) / 8)
        case 4: return .string(key())
        default: return .string(["x", "y", "z"].randomElement(using: &rng)!)
        }
    }

    mutating func value(depth: Int = 3) -> JSON {
        guard depth > 0 else { return scalar() }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0, 1:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...5, using: &rng) { object[key()] = value(depth: depth - 1) }
            return .object(object)
        case 2:
            return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in value(depth: depth - 1) })
        default:
            return scalar()
        }
    }

    /// Every pointer to an existing value in `document` (including the root).
    static func pointers(in document: JSON, at base: JSONPointer = .root) -> [JSONPointer] {
        var result = [base]
        switch document {
        case .object(let object):
            for (key, value) in object { result += pointers(in: value, at: base.appending(key)) }
        case .array(let array):
            for (i, value) in array.enumerated() { result += pointers(in: value, at: base.appending(index: i)) }
        default: break
        }
        return result
    }
}
