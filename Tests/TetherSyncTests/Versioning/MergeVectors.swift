import TetherSync

/// The hand-written scenarios behind Fixtures/versioning/merge-vectors.json. The expected states
/// are *computed* by ``VersionedDocument`` (and checked against ``ReferenceMaterializer``), never
/// typed in, so the file is what this implementation does.
enum MergeVectors {
    struct Case {
        var name: String
        var description: String
        var ops: [JSON]
    }

    /// A stamp's wire string.
    static func s(_ ms: UInt64, _ counter: UInt32 = 0, _ replica: String = "alice") -> String {
        try! VersionStamp(physical: 1_732_645_000_000 + ms, counter: counter, replica: ReplicaID(replica)).wireString
    }

    static func set(_ path: String, _ value: JSON, _ stamp: String, op: String = "add") -> JSON {
        ["op": .string(op), "path": .string(path), "value": value, "stamp": .string(stamp)]
    }

    static func remove(_ path: String, _ stamp: String) -> JSON {
        ["op": "remove", "path": .string(path), "stamp": .string(stamp)]
    }

    static let cases: [Case] = [
        Case(name: "set-model", description: "one model set as an object", ops: [
            set("/m1", ["id": "m1", "title": "a", "done": false], s(1)),
        ]),
        Case(name: "set-attribute", description: "an attribute written into an existing model", ops: [
            set("/m1", ["id": "m1", "title": "a"], s(1)),
            set("/m1/done", true, s(2, 0, "bob"), op: "replace"),
        ]),
        Case(name: "lww-physical", description: "newer physical time wins, whatever the order", ops: [
            set("/m1/title", "late", s(5, 0, "alice")),
            set("/m1/title", "early", s(4, 9, "bob")),
        ]),
        Case(name: "lww-counter", description: "same millisecond: the higher counter wins", ops: [
            set("/m1/title", "c2", s(5, 2, "alice")),
            set("/m1/title", "c3", s(5, 3, "alice")),
            set("/m1/title", "c1", s(5, 1, "bob")),
        ]),
        Case(name: "lww-replica", description: "same millisecond and counter: replica id byte order breaks the tie", ops: [
            set("/m1/title", "from bob", s(5, 1, "bob")),
            set("/m1/title", "from alice", s(5, 1, "alice")),
            set("/m1/title", "from alice-2", s(5, 1, "alice-2")),
        ]),
        Case(name: "duplicates", description: "the same op delivered three times counts once", ops: [
            set("/m1/n", 1, s(1)),
            set("/m1/n", 2, s(2, 0, "bob")),
            set("/m1/n", 1, s(1)),
            set("/m1/n", 2, s(2, 0, "bob")),
            set("/m1/n", 1, s(1)),
        ]),
        Case(name: "remove-shadows-older-write", description: "a write under a model removed later is shadowed", ops: [
            set("/m1", ["title": "a"], s(1)),
            remove("/m1", s(5, 0, "bob")),
            set("/m1/title", "stale", s(3, 0, "carol")),
        ]),
        Case(name: "newer-write-after-remove", description: "a write newer than the removal brings the model back with only that member", ops: [
            set("/m1", ["title": "a", "done": true], s(1)),
            remove("/m1", s(5, 0, "bob")),
            set("/m1/title", "revived", s(7, 0, "carol")),
        ]),
        Case(name: "remove-attribute", description: "removing one attribute keeps the others", ops: [
            set("/m1", ["title": "a", "done": true], s(1)),
            remove("/m1/done", s(2)),
        ]),
        Case(name: "remove-older-than-set", description: "an older remove loses to a newer set", ops: [
            set("/m1/title", "kept", s(4, 0, "bob")),
            remove("/m1/title", s(3)),
        ]),
        Case(name: "model-set-replaces-older-attributes", description: "setting a whole model drops older attribute writes", ops: [
            set("/m1/a", 1, s(2)),
            set("/m1", ["b": 2], s(3, 0, "bob")),
            set("/m1/c", 3, s(1, 0, "carol")),
        ]),
        Case(name: "newer-attribute-overlays-model-set", description: "an attribute newer than the model set overlays it", ops: [
            set("/m1/a", "new", s(3, 0, "bob")),
            set("/m1", ["a": "old", "b": 2], s(2)),
        ]),
        Case(name: "nested-object-merge", description: "objects merge per key at every depth", ops: [
            set("/m1/meta", ["x": 1, "y": 1], s(2)),
            set("/m1/meta/y", 2, s(3, 0, "bob")),
            set("/m1/meta/z", 3, s(4, 0, "carol")),
        ]),
        Case(name: "implicit-parents", description: "a deep write creates the objects above it", ops: [
            set("/m1/a/b/c", "deep", s(1)),
        ]),
        Case(name: "scalar-then-newer-deeper-write", description: "a newer write below a scalar turns it into an object built from the newer writes", ops: [
            set("/m1/a", 5, s(2)),
            set("/m1/a/x", 1, s(3, 0, "bob")),
        ]),
        Case(name: "deeper-write-under-newer-scalar", description: "an older write below a newer scalar is shadowed", ops: [
            set("/m1/a/x", 1, s(2, 0, "bob")),
            set("/m1/a", 5, s(3)),
        ]),
        Case(name: "arrays-are-atomic", description: "arrays are replaced whole, never merged", ops: [
            set("/m1/tags", ["a", "b"], s(2)),
            set("/m1/tags", ["c"], s(3, 0, "bob")),
            set("/m1/tags", ["d", "e", "f"], s(1, 0, "carol")),
        ]),
        Case(name: "write-inside-array-path", description: "a newer write addressed inside an array treats the tokens as object keys", ops: [
            set("/m1/tags", ["a", "b"], s(2)),
            set("/m1/tags/0", "z", s(3, 0, "bob")),
        ]),
        Case(name: "remove-below-removed-model", description: "a remove newer than its removed model leaves an empty object (literal rule)", ops: [
            set("/m1", ["a": 1], s(1)),
            remove("/m1", s(2)),
            remove("/m1/a", s(3, 0, "bob")),
        ]),
        Case(name: "remove-of-missing-member", description: "a remove under a missing model creates the empty parent (literal rule)", ops: [
            remove("/m1/x", s(1)),
        ]),
        Case(name: "remove-missing-model", description: "a remove of a model nobody set leaves the collection empty", ops: [
            remove("/m9", s(1)),
        ]),
        Case(name: "object-set-with-nested-changes", description: "a nested removal and addition after a model set", ops: [
            set("/m1", ["a": ["x": 1, "y": 2]], s(2)),
            remove("/m1/a/x", s(3, 0, "bob")),
            set("/m1/a/z", 3, s(4, 0, "carol")),
        ]),
        Case(name: "survivors-of-replaced-subtree", description: "an older model set delivered after a newer deep write keeps the deep write", ops: [
            set("/m1/a/z", 9, s(5, 0, "bob")),
            set("/m1", ["a": ["x": 1]], s(4)),
        ]),
        Case(name: "implicit-floor", description: "a scalar turned into an object still shadows writes older than it", ops: [
            set("/m1/a", 1, s(5)),
            set("/m1/a/b", "newer", s(6, 0, "bob")),
            set("/m1/a/c", "older", s(4, 0, "carol")),
        ]),
        Case(name: "deep-survivors", description: "only the writes newer than a replacing set survive it", ops: [
            set("/m1/a/b/c", "kept", s(6, 0, "bob")),
            set("/m1/a/b/d", "dropped", s(3, 0, "carol")),
            set("/m1", ["a": ["b": ["e": 1]]], s(4)),
        ]),
        Case(name: "pointer-escapes", description: "~0 and ~1 decode to ~ and / in keys", ops: [
            set("/m~1x/a~0b", "escaped", s(1)),
            set("/m~1x/c~1d~0", true, s(2)),
        ]),
        Case(name: "unicode-sorting", description: "canonical keys sort by UTF-8 bytes", ops: [
            set("/m1", ["z": 1, "é": 2, "A": 3, "a": 4, "😀": 5, "ｚ": 6], s(1)),
        ]),
        Case(name: "string-escapes", description: "canonical strings escape quotes, backslashes and control characters", ops: [
            set("/m1/text", "quote \" backslash \\ newline \n tab \t bell \u{07} slash / é", s(1)),
        ]),
        Case(name: "numbers", description: "integers stay exact; simple decimals print shortest", ops: [
            set("/m1", ["neg": -42, "big": 9_007_199_254_740_993, "half": 2.5, "frac": -0.125, "zero": 0], s(1)),
        ]),
        Case(name: "null-is-a-value", description: "null is stored; remove deletes", ops: [
            set("/m1/a", .null, s(1)),
            set("/m1/b", 1, s(1, 1)),
            remove("/m1/b", s(2)),
        ]),
        Case(name: "model-as-scalar", description: "a model set to a scalar becomes an object when newer attribute writes arrive", ops: [
            set("/m1", 5, s(2)),
            set("/m1/title", "t", s(3, 0, "bob")),
            set("/m2", "plain", s(2, 0, "carol")),
        ]),
        Case(name: "many-writers-one-path", description: "five writers race on one attribute", ops: [
            set("/m1/v", "bob", s(7, 1, "bob")),
            set("/m1/v", "alice", s(7, 1, "alice")),
            set("/m1/v", "dave", s(6, 9, "dave")),
            set("/m1/v", "carol", s(7, 0, "carol")),
            set("/m1/v", "eve", s(7, 1, "eve")),
        ]),
        Case(name: "three-replicas-interleaved", description: "concurrent edits from three replicas on two models", ops: [
            set("/m1", ["id": "m1", "title": "one", "done": false, "tags": ["x"]], s(1)),
            set("/m2", ["id": "m2", "title": "two", "meta": ["rev": 0]], s(1, 0, "bob")),
            set("/m1/done", true, s(3, 0, "bob")),
            set("/m1/title", "uno", s(3, 1, "carol")),
            remove("/m2/meta", s(4)),
            set("/m2/meta/rev", 1, s(3, 0, "carol")),
            set("/m1/tags", ["x", "y"], s(2, 0, "carol")),
            remove("/m1", s(2, 5, "alice")),
            set("/m3", ["id": "m3"], s(5, 0, "bob")),
            remove("/m3/id", s(6)),
        ]),
        Case(name: "resurrection-order", description: "remove and re-add of a model by different replicas", ops: [
            set("/m1", ["v": 1], s(1)),
            remove("/m1", s(2, 0, "bob")),
            set("/m1", ["v": 2], s(3)),
            remove("/m1", s(2, 1, "carol")),
        ]),
    ]
}
