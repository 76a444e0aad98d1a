import Testing
import TetherTestSupport
import TetherJSON

/// Random documents and random patches (seeded, reproducible).
struct PatchPropertyTests {
    /// A patch that fails at operation k leaves the document byte-for-byte unchanged (values and
    /// member order), and one that succeeds equals applying its operations one by one; each single
    /// operation agrees with a naive copy-based reference implementation.
    @Test func atomicityAndReferenceAgreement() throws {
        var random = RandomJSON(rng: SplitMix64(seed: 6902))
        var failures = 0, successes = 0
        for round in 0..<400 {
            let original = random.value(depth: 4)
            var shadow = original
            var operations: [JSONPatchOperation] = []
            var failingIndex: Int?
            for index in 0..<Int.random(in: 1...12, using: &random.rng) {
                let operation = random.operation(on: shadow)
                operations.append(operation)
                let expected = ReferencePatch.apply(operation, to: shadow)
                do throws(JSONPatchError) {
                    try JSONPatch(operations: [operation]).apply(to: &shadow)
                    #expect(expected?.serialized() == shadow.serialized(), "round \(round): \(operation)")
                } catch {
                    #expect(expected == nil, "round \(round): \(operation): \(error)")
                    failingIndex = index
                    break
                }
            }
            var document = original
            do throws(JSONPatchError) {
                try JSONPatch(operations: operations).apply(to: &document)
                #expect(failingIndex == nil, "round \(round)")
                #expect(document.serialized() == shadow.serialized(), "round \(round)")
                successes += 1
            } catch {
                #expect(error.index == failingIndex, "round \(round): \(error)")
                #expect(document.serialized() == original.serialized(), "round \(round): not rolled back")
                failures += 1
            }
        }
        // Both branches must have been exercised for the property to mean anything.
        #expect(failures > 50 && successes > 50, "failures \(failures), successes \(successes)")
    }
}

extension RandomJSON {
    /// A location where `add` could put a value: an existing location, a new member, or an array slot.
    mutating func insertionPoint(in document: JSON) -> JSONPointer {
        let base = Self.pointers(in: document).randomElement(using: &rng)!
        switch (try? base.evaluate(in: document)) ?? .null {
        case .object: return base.appending(key())
        case .array(let array):
            return Bool.random(using: &rng) ? base.appending("-") : base.appending(index: Int.random(in: 0...array.count + 1, using: &rng))
        default: return base
        }
    }

    mutating func operation(on document: JSON) -> JSONPatchOperation {
        let existing = Self.pointers(in: document)
        let some = existing.randomElement(using: &rng)!
        switch Int.random(in: 0..<10, using: &rng) {
        case 0, 1: return .add(path: insertionPoint(in: document), value: value(depth: 2))
        case 2: return .remove(path: some)
        case 3, 4: return .replace(path: some, value: value(depth: 2))
        case 5: return .move(from: some, path: insertionPoint(in: document))
        case 6: return .copy(from: some, path: insertionPoint(in: document))
        case 7:
            let actual = (try? some.evaluate(in: document)) ?? .null
            return .test(path: some, value: Bool.random(using: &rng) ? actual : scalar())
        case 8: return .remove(path: some.appending(key()))
        default: return .replace(path: some.appending("9"), value: scalar())
        }
    }
}

/// A deliberately naive RFC 6902 implementation (whole-value copies, no undo) to check the engine.
enum ReferencePatch {
    static func apply(_ operation: JSONPatchOperation, to document: JSON) -> JSON? {
        switch operation {
        case .add(let path, let value): return add(value, path.tokens[...], document)
        case .remove(let path): return path.isRoot ? nil : remove(path.tokens[...], document)?.1
        case .replace(let path, let value):
            guard get(path.tokens[...], document) != nil else { return nil }
            return set(path.tokens[...], document) { _ in value }
        case .move(let from, let path):
            if from == path {
                guard get(from.tokens[...], document) != nil else { return nil }
                return document
            }
            if from.tokens.count < path.tokens.count, Array(path.tokens.prefix(from.tokens.count)).elementsEqualByBytes(from.tokens) {
                return nil
            }
            guard !from.isRoot, let (value, rest) = remove(from.tokens[...], document) else { return nil }
            return add(value, path.tokens[...], rest)
        case .copy(let from, let path):
            guard let value = get(from.tokens[...], document) else { return nil }
            return add(value, path.tokens[...], document)
        case .test(let path, let value):
            // (No `? document : nil` here: JSON is ExpressibleByNilLiteral, so that nil would be JSON.null.)
            guard get(path.tokens[...], document) == value else { return nil }
            return document
        }
    }

    static func index(_ token: String, count: Int, allowEnd: Bool) -> Int? {
        if allowEnd && token == "-" { return count }
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), token == "0" || !token.hasPrefix("0"),
            let i = Int(token), i < count + (allowEnd ? 1 : 0)
        else { return nil }
        return i
    }

    static func get(_ tokens: ArraySlice<String>, _ value: JSON) -> JSON? {
        guard let token = tokens.first else { return value }
        switch value {
        case .object(let o):
            guard let key = o.keys.first(where: { Array($0.utf8) == Array(token.utf8) }) else { return nil }
            return get(tokens.dropFirst(), o[key]!)
        case .array(let a):
            guard let i = index(token, count: a.count, allowEnd: false) else { return nil }
            return get(tokens.dropFirst(), a[i])
        default: return nil
        }
    }

    /// Replaces the value at `tokens` (which must exist) with `change(old)`.
    static func set(_ tokens: ArraySlice<String>, _ value: JSON, _ change: (JSON) -> JSON?) -> JSON? {
        guard let token = tokens.first else { return change(value) }
        switch value {
        case .object(var o):
            guard let key = o.keys.first(where: { Array($0.utf8) == Array(token.utf8) }),
                let new = set(tokens.dropFirst(), o[key]!, change)
            else { return nil }
            o[key] = new
            return .object(o)
        case .array(var a):
            guard let i = index(token, count: a.count, allowEnd: false), let new = set(tokens.dropFirst(), a[i], change) else {
                return nil
            }
            a[i] = new
            return .array(a)
        default: return nil
        }
    }

    static func add(_ new: JSON, _ tokens: ArraySlice<String>, _ document: JSON) -> JSON? {
        guard let last = tokens.last else { return new }
        return set(tokens.dropLast(), document) { parent in
            switch parent {
            case .object(var o): o[last] = new; return .object(o)
            case .array(var a):
                guard let i = index(last, count: a.count, allowEnd: true) else { return nil }
                a.insert(new, at: i)
                return .array(a)
            default: return nil
            }
        }
    }

    static func remove(_ tokens: ArraySlice<String>, _ document: JSON) -> (JSON, JSON)? {
        guard let last = tokens.last, let removed = get(tokens, document) else { return nil }
        guard let rest = set(tokens.dropLast(), document, { parent in
            switch parent {
            case .object(var o):
                o.removeValue(forKey: last)
                return .object(o)
            case .array(var a):
                a.remove(at: index(last, count: a.count, allowEnd: false)!)
                return .array(a)
            default: return nil
            }
        }) else { return nil }
        return (removed, rest)
    }
}

extension Array where Element == String {
    func elementsEqualByBytes(_ other: [String]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { [UInt8]($0.utf8) == [UInt8]($1.utf8) }
    }
}
