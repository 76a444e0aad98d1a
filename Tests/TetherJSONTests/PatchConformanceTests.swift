import Testing
import TetherJSON

/// Every enabled case of json-patch-tests (tests.json, spec_tests.json): `expected` cases must
/// produce that document, `error` cases must throw and leave the document untouched.
struct PatchConformanceTests {
    @Test(arguments: ["json-patch/tests.json", "json-patch/spec_tests.json"])
    func suite(_ file: String) throws {
        let cases = try #require(try PatchFixtures.load(file).arrayValue)
        var ran = 0
        for (number, testCase) in cases.enumerated() {
            if testCase["disabled"] == true { continue }
            let label = "\(file) #\(number) \(testCase["comment"]?.stringValue ?? "")"
            let original = try #require(testCase["doc"], "\(label)")
            let patchJSON = try #require(testCase["patch"], "\(label)")
            var document = original
            ran += 1
            do throws(JSONPatchError) {
                let patch = try JSONPatch(patchJSON)
                // Decoding and re-encoding is lossless.
                #expect(try JSONPatch(patch.toJSON()) == patch, "\(label)")
                try patch.apply(to: &document)
                if testCase["error"] != nil {
                    Issue.record("\(label): expected an error, got \(document)")
                } else if let expected = testCase["expected"] {
                    #expect(document == expected, "\(label)")
                }
            } catch {
                #expect(testCase["error"] != nil, "\(label): unexpected \(error)")
                #expect(document.serialized() == original.serialized(), "\(label): document changed")
            }
        }
        #expect(ran > 10)
    }
}
