import Testing
import TetherTestSupport
@testable import TetherJSON

struct PointerTests {
    @Test func escapesAndPrints() throws {
        let pointer = JSONPointer(tokens: ["a/b", "m~n", "", "é"])
        #expect(pointer.description == "/a~1b/m~0n//é")
        #expect(pointer.uriFragment == "#/a~1b/m~0n//%C3%A9")
        #expect(try JSONPointer("/a~1b/m~0n//é") == pointer)
        #expect(pointer.parent == JSONPointer(tokens: ["a/b", "m~n", ""]))
        #expect(JSONPointer.root.parent == nil)
        #expect(JSONPointer.root.description == "")
        #expect(JSONPointer.root.uriFragment == "#")
        #expect(JSONPointer(tokens: ["x"]).appending("0") == (try JSONPointer("/x/0")))
    }

    @Test func codePointEquality() {
        #expect(JSONPointer(tokens: ["\u{E9}"]) != JSONPointer(tokens: ["e\u{301}"]))
        #expect(JSONPointer(tokens: ["\u{E9}"]).hashValue == JSONPointer(tokens: ["\u{E9}"]).hashValue)
    }

    @Test func syntaxErrorsAreTyped() {
        #expect(throws: JSONPointerError.missingLeadingSlash(pointer: "a")) { try JSONPointer("a") }
        #expect(throws: JSONPointerError.invalidEscape(pointer: "/a~2", offset: 2)) { try JSONPointer("/a~2") }
        #expect(throws: JSONPointerError.missingFragmentHash(fragment: "/a")) { try JSONPointer(uriFragment: "/a") }
    }

    @Test func arrayIndexRules() {
        #expect(ArrayIndexToken("0") == .index(0))
        #expect(ArrayIndexToken("10") == .index(10))
        #expect(ArrayIndexToken("-") == .pastTheEnd)
        #expect(ArrayIndexToken("01") == .invalid)
        #expect(ArrayIndexToken("") == .invalid)
        #expect(ArrayIndexToken("-1") == .invalid)
        #expect(ArrayIndexToken("1e0") == .invalid)
        #expect(ArrayIndexToken("99999999999999999999999") == .index(Int.max))
    }

    /// Property: for random tokens, both printed forms parse back to the same tokens.
    @Test func randomRoundTrip() throws {
        var random = RandomJSON(rng: SplitMix64(seed: 6901))
        for _ in 0..<2000 {
            let tokens = (0..<Int.random(in: 0...4, using: &random.rng)).map { _ in
                random.key() + (Bool.random(using: &random.rng) ? "\u{0}\u{1F60E}" : "")
            }
            let pointer = JSONPointer(tokens: tokens)
            #expect(try JSONPointer(pointer.description).tokens == tokens)
            #expect(try JSONPointer(uriFragment: pointer.uriFragment).tokens == tokens)
        }
    }

    /// Property: every pointer enumerated from a random document selects the value it came from.
    @Test func evaluatesEveryEnumeratedPointer() throws {
        var random = RandomJSON(rng: SplitMix64(seed: 42))
        for _ in 0..<300 {
            let document = random.value()
            for pointer in RandomJSON.pointers(in: document) {
                _ = try pointer.evaluate(in: document)
                #expect(try JSONPointer(pointer.description).evaluate(in: document) == pointer.evaluate(in: document))
            }
        }
    }
}
