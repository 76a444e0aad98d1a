import Testing
@testable import TetherJSON

/// Every case of Fixtures/conformance/json-pointer/pointer_tests.json (see its README.md).
struct PointerConformanceTests {
    @Test func everyVector() throws {
        let cases = try #require(try PatchFixtures.load("json-pointer/pointer_tests.json").arrayValue)
        #expect(cases.count == 132)
        for testCase in cases {
            let name = testCase["name"]?.stringValue ?? "?"
            let text = try #require(testCase["pointer"]?.stringValue, "\(name)")
            let isFragment = testCase["form"]?.stringValue == "uri-fragment"
            let parsed: Result<JSONPointer, JSONPointerError>
            do throws(JSONPointerError) {
                parsed = .success(isFragment ? try JSONPointer(uriFragment: text) : try JSONPointer(text))
            } catch {
                parsed = .failure(error)
            }

            if testCase["error"] != nil, testCase["errorKind"]?.stringValue == "syntax" {
                guard case .failure(let error) = parsed else {
                    Issue.record("\(name): expected a syntax error, parsed \(parsed)")
                    continue
                }
                #expect(error.isSyntaxError, "\(name): \(error)")
                continue
            }

            guard case .success(let pointer) = parsed else {
                Issue.record("\(name): unexpected syntax error \(parsed)")
                continue
            }
            let tokens = try #require(testCase["tokens"]?.arrayValue, "\(name)").map { $0.stringValue ?? "" }
            #expect(pointer == JSONPointer(tokens: tokens), "\(name): tokens \(pointer.tokens)")
            // Both printed forms parse back to the same pointer.
            #expect(try JSONPointer(pointer.description) == pointer, "\(name)")
            #expect(try JSONPointer(uriFragment: pointer.uriFragment) == pointer, "\(name)")

            let document = try #require(testCase["doc"], "\(name)")
            if let expected = testCase["expected"] {
                #expect(try pointer.evaluate(in: document) == expected, "\(name)")
            } else {
                do throws(JSONPointerError) {
                    let value = try pointer.evaluate(in: document)
                    Issue.record("\(name): expected an evaluation error, got \(value)")
                } catch {
                    #expect(!error.isSyntaxError, "\(name): \(error)")
                }
            }
        }
    }
}
