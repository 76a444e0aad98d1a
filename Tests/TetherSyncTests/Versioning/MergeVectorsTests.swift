import Foundation
import Testing
import TetherSync
import TetherTestSupport

extension VersioningTests {
    /// Fixtures/versioning/merge-vectors.json: shared with the Python reference server.
    @Suite struct MergeVectorFile {
        static let file = FixturePaths.fixture("versioning/merge-vectors.json")

        static let randomFile = FixturePaths.fixture("versioning/random-histories.json")

        /// Random multi-replica histories (as in the convergence property test), for peers that
        /// want more than the hand-written cases.
        static var randomCases: [MergeVectors.Case] {
            (1...16).map { seed in
                let history = RandomHistory.generate(seed: 10_000 + UInt64(seed), replicaCount: 3, steps: 40)
                return MergeVectors.Case(
                    name: "random-\(seed)",
                    description: "3 replicas with skewed clocks, seed \(10_000 + seed), ops in generation order",
                    ops: history.writes.map(\.wireOperation))
            }
        }

        /// The file's text as this implementation computes it.
        static func generatedText(_ cases: [MergeVectors.Case] = MergeVectors.cases) throws -> String {
            var lines: [String] = []
            for vector in cases {
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
            let randomText = try Self.generatedText(Self.randomCases)
            if ProcessInfo.processInfo.environment["TETHER_REGENERATE_VECTORS"] == "1" {
                try randomText.write(to: Self.randomFile, atomically: true, encoding: .utf8)
            }
            #expect(String(decoding: try FixturePaths.data(Self.randomFile), as: UTF8.self) == randomText)
        }

        @Test("every case converges to its expected state in many delivery orders", arguments: [file, randomFile])
        func everyCaseConverges(file: URL) throws {
            let root = try JSON(parsing: Array(try FixturePaths.data(file)))
            let cases = try #require(root["cases"]?.arrayValue)
            #expect(cases.count >= 16)
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
