import Foundation
import Tether

/// w1: a collection built from `initial`, then `set(batch)` for each batch.
struct CollectionSetWorkload {
    var initial: [JSON]
    var batches: [[JSON]]
}

/// w2: successive `set(attribute, value)` calls on one model.
struct ModelSetWorkload {
    var attribute: String
    var values: [JSON]
}

/// w3: single RFC 6902 operations applied one at a time to a document keyed by model id.
struct PatchStreamWorkload {
    var document: JSON
    var ops: [JSON]
    /// The document after every op, when known (the shared files carry it; the generator computes it).
    var expected: JSON?
}

/// The three shared workloads, read from the files written by `gen_workloads.py`, or generated.
struct Workloads {
    var w1: CollectionSetWorkload
    var w2: ModelSetWorkload
    var w3: PatchStreamWorkload
    /// Where they came from, printed with the results.
    var source: String
    /// The bytes of the w1 file (the parse benchmark's input).
    var w1Bytes: [UInt8]

    enum LoadError: Error, CustomStringConvertible {
        case unreadable(String)
        case malformed(String, String)
        var description: String {
            switch self {
            case .unreadable(let path): return "cannot read \(path) (run: python3 ../shared/bench/gen_workloads.py DIR)"
            case .malformed(let path, let why): return "\(path): \(why)"
            }
        }
    }

    /// Loads `w1_collection_set.json`, `w2_model_set.json`, `w3_patch_stream.json` and
    /// `w3_expected_final.json` from `directory`.
    static func load(from directory: String) throws -> Workloads {
        func read(_ name: String) throws -> ([UInt8], JSON) {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else { throw LoadError.unreadable(path) }
            let bytes = [UInt8](data)
            do { return (bytes, try JSON(parsing: bytes)) } catch { throw LoadError.malformed(path, "\(error)") }
        }
        let (w1Bytes, w1) = try read("w1_collection_set.json")
        let (_, w2) = try read("w2_model_set.json")
        let (_, w3) = try read("w3_patch_stream.json")
        let (_, w3Final) = try read("w3_expected_final.json")
        guard let initial = w1["initial"]?.arrayValue, let batches = w1["batches"]?.arrayValue,
              let attribute = w2["attribute"]?.stringValue, let values = w2["values"]?.arrayValue,
              let document = w3["document"], let ops = w3["ops"]?.arrayValue
        else { throw LoadError.malformed(directory, "unexpected workload shape") }
        return Workloads(
            w1: CollectionSetWorkload(initial: initial, batches: batches.map { $0.arrayValue ?? [] }),
            w2: ModelSetWorkload(attribute: attribute, values: values),
            w3: PatchStreamWorkload(document: document, ops: ops, expected: w3Final),
            source: directory,
            w1Bytes: w1Bytes
        )
    }

    /// Generates workloads of the same shape and mix as `gen_workloads.py` (not byte-identical: a
    /// different random generator), for users without the shared files and for the scale sweep.
    static func generate(models: Int = 10_000, batches: Int = 20, modelSets: Int = 1_000_000, patchOps: Int = 100_000) -> Workloads {
        var generator = WorkloadGenerator(seed: 20_261_126)
        let w1 = generator.collectionSet(models: models, batches: batches)
        let w1Bytes = JSON.object([
            "initial": .array(w1.initial),
            "batches": .array(w1.batches.map { .array($0) }),
        ]).serializedBytes()
        return Workloads(
            w1: w1,
            w2: ModelSetWorkload(attribute: "n", values: (0..<modelSets).map { .int(Int64($0 % 7)) }),
            w3: generator.patchStream(models: models, ops: patchOps),
            source: "generated (\(models) models)",
            w1Bytes: w1Bytes
        )
    }
}
