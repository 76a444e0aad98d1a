import Foundation
import Testing
import TetherJSON

@Suite struct CodableTests {
    enum Status: String, Codable, Equatable { case open, done }

    enum Shape: Codable, Equatable {
        case circle(radius: Double)
        case square(side: Int)
        case nothing
    }

    struct Owner: Codable, Equatable {
        var name: String
        var email: String?
    }

    struct Todo: Codable, Equatable {
        var id: Int64
        var title: String
        var done: Bool
        var status: Status
        var score: Double?
        var tags: [String]
        var owner: Owner?
        var shapes: [Shape]
        var counters: [String: [Int]]
        var nested: [String: [String: Owner]]
        var small: UInt8
    }

    static let sample = Todo(
        id: Int64.max, title: "Write \"tests\" ✓", done: false, status: .done, score: nil,
        tags: ["a", "b"], owner: Owner(name: "ana", email: nil),
        shapes: [.circle(radius: 1.5), .square(side: 2), .nothing],
        counters: ["x": [1, 2, 3], "y": []],
        nested: ["team": ["lead": Owner(name: "bo", email: "bo@example.com")]],
        small: 255)

    @Test func roundTripsANestedStruct() throws {
        let json = try JSON(encoding: Self.sample)
        #expect(json["id"] == .int(Int64.max))
        #expect(json["status"] == "done")
        #expect(json["score"] == nil)  // nil optionals are omitted, as JSONEncoder does
        #expect(json["owner"]?["email"] == nil)
        #expect(json["nested"]?["team"]?["lead"]?["email"] == "bo@example.com")
        #expect(json.objectValue?.keys.prefix(4) == ["id", "title", "done", "status"])
        #expect(try json.decode(Todo.self) == Self.sample)
        // Through bytes as well, and through Foundation's coders, which must agree.
        #expect(try JSON(parsing: json.serializedBytes()).decode(Todo.self) == Self.sample)
        let viaFoundation = try JSONDecoder().decode(Todo.self, from: Data(json.serializedBytes()))
        #expect(viaFoundation == Self.sample)
        let fromFoundation = try JSON(parsing: JSONEncoder().encode(Self.sample))
        #expect(fromFoundation == json)
    }

    @Test func jsonIsCodableThroughAnyCoder() throws {
        let value: JSON = ["a": [1, 2.5, "x", nil, true], "b": ["c": -3], "d": 9_007_199_254_740_993]
        #expect(try JSON(encoding: value) == value)
        #expect(try value.decode(JSON.self) == value)
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSON.self, from: data) == value)
        #expect(try JSON(parsing: data) == value)
    }

    @Test func decodeErrorsCarryTheCodingPath() throws {
        var json = try JSON(encoding: Self.sample)
        json["nested"] = ["team": ["lead": ["name": 3]]]
        do {
            _ = try json.decode(Todo.self)
            Issue.record("decoding should have failed")
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.codingPath.map(\.stringValue) == ["nested", "team", "lead", "name"])
            #expect(context.debugDescription.contains("nested.team.lead.name"))
        }

        var missing = try JSON(encoding: Self.sample)
        missing["tags"] = nil
        do {
            _ = try missing.decode(Todo.self)
            Issue.record("decoding should have failed")
        } catch let DecodingError.keyNotFound(key, _) {
            #expect(key.stringValue == "tags")
        }

        var tooBig = try JSON(encoding: Self.sample)
        tooBig["small"] = 256
        #expect(throws: DecodingError.self) { try tooBig.decode(Todo.self) }

        let array: JSON = [1, 2, "three"]
        do {
            _ = try array.decode([Int].self)
            Issue.record("decoding should have failed")
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.codingPath.count == 1)
            #expect(context.codingPath.first?.intValue == 2)
        }
    }

    @Test func numbersConvertOnlyWhenExact() throws {
        #expect(try JSON.double(3.0).decode(Int.self) == 3)
        #expect(throws: DecodingError.self) { try JSON.double(3.5).decode(Int.self) }
        #expect(throws: DecodingError.self) { try JSON.int(-1).decode(UInt.self) }
        #expect(try JSON.int(7).decode(Double.self) == 7.0)
        #expect(throws: DecodingError.self) { try JSON.string("7").decode(Int.self) }
        #expect(throws: EncodingError.self) { try JSON(encoding: Double.nan) }
        #expect(throws: EncodingError.self) { try JSON(encoding: UInt64.max) }
        #expect(try JSON(encoding: Float(0.1)) == .double(0.1))
    }

    class Base: Codable {
        var id: Int
        init(id: Int) { self.id = id }
    }

    final class Derived: Base {
        var name: String
        init(id: Int, name: String) {
            self.name = name
            super.init(id: id)
        }
        enum Keys: String, CodingKey { case name }
        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            name = try container.decode(String.self, forKey: .name)
            try super.init(from: container.superDecoder())
        }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(name, forKey: .name)
            try super.encode(to: container.superEncoder())
        }
    }

    /// Encodes the same key twice and uses nested and unkeyed containers by hand.
    struct HandWritten: Encodable {
        enum Keys: String, CodingKey { case a, b, grid }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(1, forKey: .a)
            try container.encode(2, forKey: .b)
            try container.encode(3, forKey: .a)
            var grid = container.nestedUnkeyedContainer(forKey: .grid)
            var row = grid.nestedUnkeyedContainer()
            try row.encode(true)
            try row.encodeNil()
            var cell = grid.nestedContainer(keyedBy: Keys.self)
            try cell.encode("x", forKey: .b)
        }
    }

    struct WithExtras: Codable, Equatable {
        var extra: JSON
        var byNumber: [Int: String]
        var bytes: [UInt8]
        var maybe: Int?
    }

    @Test func classHierarchiesUseSuperCoders() throws {
        let json = try JSON(encoding: Derived(id: 7, name: "n"))
        #expect(json == ["name": "n", "super": ["id": 7]])
        let back = try json.decode(Derived.self)
        #expect(back.id == 7 && back.name == "n")
    }

    @Test func repeatedKeysAndNestedContainers() throws {
        let json = try JSON(encoding: HandWritten())
        #expect(json == ["a": 3, "b": 2, "grid": [[true, nil], ["b": "x"]]])
        #expect(json.objectValue?.keys == ["a", "b", "grid"])
    }

    @Test func extrasRoundTrip() throws {
        let value = WithExtras(extra: ["free": [1, "form"]], byNumber: [1: "one", 20: "twenty"], bytes: [0, 255], maybe: nil)
        let json = try JSON(encoding: value)
        #expect(json["extra"] == ["free": [1, "form"]])
        #expect(json["byNumber"] == ["1": "one", "20": "twenty"])
        #expect(json["bytes"] == [0, 255])
        #expect(try json.decode(WithExtras.self) == value)
        var withNull = json
        withNull["maybe"] = nil
        withNull["maybe"] = .null
        #expect(try withNull.decode(WithExtras.self) == value)
    }
}
