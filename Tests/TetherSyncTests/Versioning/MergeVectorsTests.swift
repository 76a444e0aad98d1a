import Foundation
import Testing
import TetherSync
import TetherTestSupport

extension VersioningTests {
    /// Fixtures/versioning/merge-vectors.json: shared with the Python reference server.
    @Suite struct MergeVectorFile {
        static let file = FixturePaths.fixture("versioning/merge-vectors.json")

        /// The file's text as this implementation computes it.
        static func generatedText() throws -> String {
            var lines: [String] = []
            for vector in MergeVectors.cases {
                let writes = try VersionedWrite.decodeAll(vector.ops)
                var document = VersionedDocument()
                document.apply(writes)
                let object: JSON = [
                    "name": .string(vector.name),
                    "description": .string(vector.description),
                    "ops": .array(vector.ops),
                    "expected": document.state,
                    "canonical": .string(String(decoding: document.canonicalBytes, as: UTF8.self)),
                ]
                lines.append(String(decoding: object.serializedBytes(options: [.sortedKeys]), as: UTF8.self))
            }
            return """
                {"format":"tether-merge-vectors","version":1,\
                "about":"Each case lists versioned ops (RFC 6902 add/replace/remove with a stamp). Applying them in any order, with duplicates, must give 'expected'; 'canonical' is its sorted-keys compact serialization.",\
                "cases":[
                \(lines.joined(separator: ",\n"))
                ]}

                """
        }

        @Test("the committed file is what the implementation computes (TETHER_REGENERATE_VECTORS=1 rewrites it)")
        func fileIsCurrent() throws {
            let text = try Self.generatedText()
            if ProcessInfo.processInfo.environment["TETHER_REGENERATE_VECTORS"] == "1" {
                try text.write(to: Self.file, atomically: true, encoding: .utf8)
            }
            let committed = String(decoding: try FixturePaths.data(Self.file), as: UTF8.self)
            #expect(committed == text)
        }

        @Test("every case converges to its expected state in many delivery orders")
        func everyCaseConverges() throws {
            let root = try JSON(parsing: Array(try FixturePaths.data(Self.file)))
            let cases = try #require(root["cases"]?.arrayValue)
            #expect(cases.count >= 30)
            var rng = SplitMix64(seed: 7)
            for vector in cases {
                let name = vector["name"]?.stringValue ?? "?"
                let writes = try VersionedWrite.decodeAll(try #require(vector["ops"]?.arrayValue))
                let canonical = try #require(vector["canonical"]?.stringValue)
                let expected = try #require(vector["expected"])
                #expect(expected.serializedBytes(options: [.sortedKeys]) == Array(canonical.utf8), "\(name): expected vs canonical")
                #expect(ReferenceMaterializer.canonicalBytes(of: writes) == Array(canonical.utf8), "\(name): reference")
                for _ in 0..<40 {
                    var delivery = writes + writes.filter { _ in Bool.random(using: &rng) }
                    delivery.shuffle(using: &rng)
                    var document = VersionedDocument()
                    document.apply(delivery)
                    #expect(String(decoding: document.canonicalBytes, as: UTF8.self) == canonical, "\(name)")
                }
            }
        }
    }
}
