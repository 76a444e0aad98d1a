/// The options of a `set`/`add`/`remove`/`reset` call, passed unchanged to every event it fires.
///
/// Backbone passes one options object through a call to all its events and writes into it
/// (`index`, `changes`, `previousModels`, `validationError`); this struct carries the same fields
/// typed, plus ``userInfo`` for your own keys. Collection calls pass their options to the merged
/// models' `set`, so model events fired by a collection merge carry the collection's options.
///
/// Options are two words: the flags and the event index packed in one, and one copy-on-write box
/// for the rarely used fields (`at`, the reference-typed ones), so copying default options into
/// every event costs no reference counting and they travel in registers.
public struct SetOptions {
    /// Low 16 bits: flags and tri-state options; high 48 bits: ``index`` + 1 (0 when `nil`).
    @usableFromInline var packed: UInt64
    @usableFromInline var extras: Extras?

    /// Inlinable, so the default options of every `set(key, value)` are four constant stores.
    @inlinable
    public init(
        silent: Bool = false, unset: Bool = false, validate: Bool = false, parse: Bool = false,
        add: Bool? = nil, remove: Bool? = nil, merge: Bool? = nil, sort: Bool? = nil, at: Int? = nil
    ) {
        @inline(__always) func triState(_ value: Bool?, _ shift: UInt16) -> UInt16 {
            guard let value else { return 0 }
            return (value ? 2 : 1) << shift
        }
        let bits: UInt16 = (silent ? 1 : 0) | (unset ? 2 : 0) | (validate ? 4 : 0) | (parse ? 8 : 0)
            | triState(add, 4) | triState(remove, 6) | triState(merge, 8) | triState(sort, 10)
        packed = UInt64(bits)
        extras = nil
        if let at { self.at = at }
    }

    @usableFromInline var bits: UInt16 {
        @inline(__always) get { UInt16(truncatingIfNeeded: packed) }
        @inline(__always) set { packed = packed & ~0xFFFF | UInt64(newValue) }
    }

    private func flag(_ bit: UInt16) -> Bool { bits & bit != 0 }
    private mutating func setFlag(_ bit: UInt16, _ on: Bool) { if on { bits |= bit } else { bits &= ~bit } }
    private func triState(_ shift: UInt16) -> Bool? {
        switch (bits >> shift) & 3 {
        case 1: return false
        case 2: return true
        default: return nil
        }
    }
    private mutating func setTriState(_ shift: UInt16, _ value: Bool?) {
        bits &= ~(3 << shift)
        if let value { bits |= (value ? 2 : 1) << shift }
    }

    /// Fire no events (`changeId` still fires: collections need it to re-index).
    public var silent: Bool {
        get { flag(1) }
        set { setFlag(1, newValue) }
    }
    /// Remove the given keys instead of setting them (the values passed are ignored).
    public var unset: Bool {
        get { flag(2) }
        set { setFlag(2, newValue) }
    }
    /// Run ``SyncModel/validate(_:options:)`` first; on failure nothing is applied.
    public var validate: Bool {
        get { flag(4) }
        set { setFlag(4, newValue) }
    }
    /// Run the `parse` hook on raw input first.
    public var parse: Bool {
        get { flag(8) }
        set { setFlag(8, newValue) }
    }
    /// Collection `set`: add new models (default true for `set`, forced true for `add`).
    public var add: Bool? {
        get { triState(4) }
        set { setTriState(4, newValue) }
    }
    /// Collection `set`: remove models missing from the input (default true for `set`, false for `add`).
    public var remove: Bool? {
        get { triState(6) }
        set { setTriState(6, newValue) }
    }
    /// Collection `set`: merge input into existing models (default true for `set`, false for `add`).
    public var merge: Bool? {
        get { triState(8) }
        set { setTriState(8, newValue) }
    }
    /// Collection `set`: `false` suppresses sorting by the comparator.
    public var sort: Bool? {
        get { triState(10) }
        set { setTriState(10, newValue) }
    }
    /// Collection `set`/`add`: insert new models at this index (negative counts from the end).
    public var at: Int? {
        get { extras?.at }
        set {
            if newValue == nil && extras?.at == nil { return }
            mutableExtras().at = newValue
        }
    }
    /// Written by the collection: index of the model in an `add`/`remove` event (0 ..< 2^47).
    public var index: Int? {
        get {
            let stored = packed >> 16
            return stored == 0 ? nil : Int(stored) - 1
        }
        set {
            guard let newValue else {
                packed &= 0xFFFF
                return
            }
            precondition(newValue >= 0 && newValue < 1 << 47, "SetOptions.index out of range")
            packed = packed & 0xFFFF | UInt64(newValue + 1) << 16
        }
    }

    /// Options carrying your own keys.
    public init(silent: Bool = false, userInfo: [String: JSON]) {
        self.init(silent: silent)
        self.userInfo = userInfo
    }

    /// Options with only `silent` set, the most common non-default case.
    public static var silent: SetOptions { SetOptions(silent: true) }

    /// Written by the collection for `update`: what the call added, removed and merged.
    public var changes: CollectionChanges? {
        get { extras?.changes }
        set { mutableExtras().changes = newValue }
    }

    /// Written by `reset`: the models before the reset.
    public var previousModels: [SyncModel]? {
        get { extras?.previousModels }
        set { mutableExtras().previousModels = newValue }
    }

    /// Written when validation fails: the error `validate` returned.
    public var validationError: JSON? {
        get { extras?.validationError }
        set { mutableExtras().validationError = newValue }
    }

    /// Your own options, passed through to handlers untouched.
    public var userInfo: [String: JSON] {
        get { extras?.userInfo ?? [:] }
        set { mutableExtras().userInfo = newValue }
    }

    /// A user key, for handlers: `options["source"]`.
    public subscript(key: String) -> JSON? {
        get { extras?.userInfo[key] }
        set { mutableExtras().userInfo[key] = newValue }
    }

    @usableFromInline
    mutating func mutableExtras() -> Extras {
        if let extras, isKnownUniquelyReferenced(&self.extras) { return extras }
        let copy = extras.map { $0.copy() } ?? Extras()
        extras = copy
        return copy
    }

    /// The reference-typed fields, shared between copies until one is written.
    @usableFromInline
    final class Extras {
        var at: Int?
        var changes: CollectionChanges?
        var previousModels: [SyncModel]?
        var validationError: JSON?
        var userInfo: [String: JSON] = [:]

        func copy() -> Extras {
            let other = Extras()
            other.at = at
            other.changes = changes
            other.previousModels = previousModels
            other.validationError = validationError
            other.userInfo = userInfo
            return other
        }
    }
}

/// What one collection call did, as reported by its `update` event (`options.changes`).
public struct CollectionChanges {
    /// Models added, in input order.
    public var added: [SyncModel]
    /// Models removed, in collection order.
    public var removed: [SyncModel]
    /// Existing models matched by different input (merged even if no attribute changed), in
    /// input order.
    ///
    /// A `set` records which of its results were merges and builds this list when it is read
    /// (a list built up front would retain and release every merged model once more).
    public var merged: [SyncModel] {
        get { mergedModels.array }
        set { mergedModels = MergedModels(newValue) }
    }
    var mergedModels: MergedModels

    public init(added: [SyncModel] = [], removed: [SyncModel] = [], merged: [SyncModel] = []) {
        self.added = added
        self.removed = removed
        self.mergedModels = MergedModels(merged)
    }

    init(added: [SyncModel], removed: [SyncModel], merged: MergedModels) {
        self.added = added
        self.removed = removed
        self.mergedModels = merged
    }
}

/// The merged models of a ``CollectionChanges``: a list, or the results of a `set` with a mark
/// on each result that was a merge.
enum MergedModels {
    case list([SyncModel])
    /// Bit `i` of `marks` is set when `results[i]` was merged; `count` bits are set.
    case marked(results: [SyncModel?], marks: [UInt64], count: Int)

    init(_ list: [SyncModel]) {
        self = .list(list)
    }

    init(results: [SyncModel?], marks: MergeMarks) {
        self = .marked(results: results, marks: marks.words, count: marks.count)
    }

    var array: [SyncModel] {
        switch self {
        case .list(let list):
            return list
        case .marked(let results, let marks, let count):
            var merged: [SyncModel] = []
            merged.reserveCapacity(count)
            for (w, word) in marks.enumerated() {
                var bits = word
                while bits != 0 {
                    merged.append(results[w &* 64 &+ bits.trailingZeroBitCount].unsafelyUnwrapped)
                    bits &= bits &- 1
                }
            }
            return merged
        }
    }
}

/// Which results of one `set` were merges: one bit per input.
struct MergeMarks {
    private(set) var words: [UInt64]
    /// Number of marked inputs.
    private(set) var count = 0

    init(inputs: Int) {
        words = Array(repeating: 0, count: (inputs &+ 63) / 64)
    }

    /// Marks input `i` (once per input: each input is merged at most once).
    @inline(__always)
    mutating func mark(_ i: Int) {
        words.withUnsafeMutableBufferPointer { $0[i &>> 6] |= 1 &<< UInt64(i & 63) }
        count &+= 1
    }
}
