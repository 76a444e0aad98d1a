import Tether

/// A seeded generator of w1/w3-shaped workloads (the mix of `gen_workloads.py`) at any size.
///
/// SplitMix64 (TetherSync's ``SeededGenerator``) keeps it deterministic across platforms and runs,
/// so checksums are comparable.
struct WorkloadGenerator: RandomNumberGenerator {
    private var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func next() -> UInt64 { random.next() }

    private static let owners: [JSON] = ["ana", "bo", "chen", "dita", "eli"]
    private static let tagPool: [String] = ["a", "b", "c", "d", "e", "f"]

    private mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    private mutating func score() -> JSON { .double((unit() * 100_000).rounded() / 1000) }

    mutating func model(_ i: Int) -> JSONObject {
        var tags = Self.tagPool
        tags.shuffle(using: &self)
        let tagCount = Int.random(in: 0...3, using: &self)
        return [
            "id": .string("m\(i)"),
            "title": .string("Task \(i)"),
            "done": .bool(unit() < 0.3),
            "priority": .int(Int64.random(in: 0...5, using: &self)),
            "score": score(),
            "owner": Self.owners.randomElement(using: &self)!,
            "tags": .array(tags.prefix(tagCount).map { .string($0) }),
            "meta": ["created": .int(1_700_000_000 + Int64(i)), "rev": 0],
        ]
    }

    /// w1: `models` models, then `batches` full batches that each change one attribute on 10%,
    /// drop 1% and add 1% new models, shuffled.
    mutating func collectionSet(models count: Int, batches batchCount: Int) -> CollectionSetWorkload {
        var models = (0..<count).map { model($0) }
        let initial = models.map { JSON.object($0) }
        var nextID = count
        var batches: [[JSON]] = []
        for b in 0..<batchCount {
            var live = models
            for i in live.indices.shuffled(using: &self).prefix(count / 10) {
                switch Int.random(in: 0..<5, using: &self) {
                case 0: live[i]["title"] = .string("Task \(live[i]["id"]!.stringValue!) v\(b)")
                case 1: live[i]["done"] = .bool(!(live[i]["done"]!.boolValue!))
                case 2: live[i]["priority"] = .int((live[i]["priority"]!.int64Value! + 1) % 6)
                case 3: live[i]["score"] = score()
                default: live[i]["owner"] = (Self.owners + ["fay"]).randomElement(using: &self)!
                }
            }
            let drop = Set(live.indices.shuffled(using: &self).prefix(count / 100))
            live = live.indices.filter { !drop.contains($0) }.map { live[$0] }
            for _ in 0..<(count / 100) {
                live.append(model(nextID))
                nextID += 1
            }
            live.shuffle(using: &self)
            batches.append(live.map { .object($0) })
            models = live
        }
        return CollectionSetWorkload(initial: initial, batches: batches)
    }

    /// w3: a document of `models` models keyed by id and `ops` single operations
    /// (replace 70%, add 15%, remove 10%, move/copy/test 5%), each valid in order.
    mutating func patchStream(models count: Int, ops opCount: Int) -> PatchStreamWorkload {
        var doc = JSONObject()
        for i in 0..<count { doc["m\(i)"] = .object(model(i)) }
        let initial = JSON.object(doc)
        var ids = (0..<count).map { "m\($0)" }
        var nextID = count
        var ops: [JSON] = []
        ops.reserveCapacity(opCount)
        let fields = ["title", "done", "priority", "score", "owner", "meta/rev"]
        while ops.count < opCount {
            let r = unit()
            if r < 0.70, let id = ids.randomElement(using: &self) {
                let field = fields.randomElement(using: &self)!
                var target = doc[id]!.objectValue!
                let value: JSON
                if field == "meta/rev" {
                    var meta = target["meta"]!.objectValue!
                    value = .int(meta["rev"]!.int64Value! + 1)
                    meta["rev"] = value
                    target["meta"] = .object(meta)
                } else {
                    switch field {
                    case "title": value = .string("T\(ops.count)")
                    case "done": value = .bool(unit() < 0.5)
                    case "priority": value = .int(Int64.random(in: 0...5, using: &self))
                    case "score": value = score()
                    default: value = (["ana", "bo", "gus"] as [JSON]).randomElement(using: &self)!
                    }
                    target[field] = value
                }
                doc[id] = .object(target)
                ops.append(["op": "replace", "path": .string("/\(id)/\(field)"), "value": value])
            } else if r < 0.85 {
                if unit() < 0.5 || ids.isEmpty {
                    let m = model(nextID)
                    nextID += 1
                    let id = m["id"]!.stringValue!
                    doc[id] = .object(m)
                    ids.append(id)
                    ops.append(["op": "add", "path": .string("/\(id)"), "value": .object(m)])
                } else {
                    let id = ids.randomElement(using: &self)!
                    let tag = (["x", "y", "z"] as [JSON]).randomElement(using: &self)!
                    var target = doc[id]!.objectValue!
                    target["tags"] = .array((target["tags"]!.arrayValue ?? []) + [tag])
                    doc[id] = .object(target)
                    ops.append(["op": "add", "path": .string("/\(id)/tags/-"), "value": tag])
                }
            } else if r < 0.95, ids.count > 100 {
                let k = Int.random(in: 0..<ids.count, using: &self)
                let id = ids[k]
                ids.swapAt(k, ids.count - 1)
                ids.removeLast()
                doc[id] = nil
                ops.append(["op": "remove", "path": .string("/\(id)")])
            } else if let id = ids.randomElement(using: &self) {
                var target = doc[id]!.objectValue!
                switch Int.random(in: 0..<3, using: &self) {
                case 0:
                    ops.append(["op": "test", "path": .string("/\(id)/owner"), "value": target["owner"]!])
                case 1:
                    target["title_copy"] = target["title"]
                    doc[id] = .object(target)
                    ops.append(["op": "copy", "from": .string("/\(id)/title"), "path": .string("/\(id)/title_copy")])
                default:
                    if let moved = target.removeValue(forKey: "title_copy") {
                        target["old_title"] = moved
                        doc[id] = .object(target)
                        ops.append(["op": "move", "from": .string("/\(id)/title_copy"), "path": .string("/\(id)/old_title")])
                    } else {
                        ops.append(["op": "test", "path": .string("/\(id)/id"), "value": .string(id)])
                    }
                }
            }
        }
        return PatchStreamWorkload(document: initial, ops: ops, expected: .object(doc))
    }
}
