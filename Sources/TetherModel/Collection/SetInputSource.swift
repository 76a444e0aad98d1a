/// The input of one collection `set`, read in place: raw attributes or model instances by position.
///
/// `set` used to turn every call's input into a `[ModelInput]` first, copying each JSON object
/// into an enum and destroying the array afterwards; reading the caller's array where it lies
/// costs one reference count per input instead.
protocol SetInputSource {
    /// Number of inputs.
    var count: Int { get }
    /// Calls `body` with the address of the raw attributes of input `i` (valid during the call);
    /// returns `false` without calling it when the input is a model instance.
    func withAttributes(at i: Int, _ body: (UnsafePointer<JSONObject>) -> Void) -> Bool
    /// The model instance of input `i`, or `nil` when it is raw attributes.
    func model(at i: Int) -> SyncModel?
    /// Where the raw attributes of input `i` lie, for prefetching; `nil` when the input keeps no
    /// such address, or when `i` is out of range.
    func attributesAddress(at i: Int) -> UnsafePointer<JSONObject>?
}

extension SetInputSource {
    @inline(__always)
    func attributesAddress(at i: Int) -> UnsafePointer<JSONObject>? { nil }
}

/// JSON elements that are all objects (checked by ``check(_:)`` before anything changes).
struct JSONObjectInputs: SetInputSource {
    let elements: UnsafeBufferPointer<JSON>

    var count: Int { elements.count }

    /// The object is read where it lies: ``check(_:)`` proved every element an `.object`, whose
    /// payload (the `JSONObject`) starts at the element's address. Binding the payload with
    /// `case .object(let attributes)` would copy it, an atomic retain and release per input.
    @inline(__always)
    func withAttributes(at i: Int, _ body: (UnsafePointer<JSONObject>) -> Void) -> Bool {
        body(address(at: i))
        return true
    }

    @inline(__always)
    func attributesAddress(at i: Int) -> UnsafePointer<JSONObject>? {
        i < elements.count ? address(at: i) : nil
    }

    @inline(__always)
    private func address(at i: Int) -> UnsafePointer<JSONObject> {
        UnsafeRawPointer(elements.baseAddress.unsafelyUnwrapped + i).assumingMemoryBound(to: JSONObject.self)
    }

    @inline(__always)
    func model(at i: Int) -> SyncModel? { nil }

    /// Throws for the first element that is not an object (Backbone would make a model of it;
    /// here it is a typed error and nothing changes).
    static func check(_ elements: [JSON]) throws(ModelError) {
        for i in elements.indices {
            if case .object = elements[i] { continue }
            throw .elementNotAnObject(index: i, type: elements[i].typeName)
        }
    }
}

/// Mixed raw attributes and model instances.
struct ModelInputs: SetInputSource {
    let inputs: UnsafeBufferPointer<ModelInput>

    var count: Int { inputs.count }

    @inline(__always)
    func withAttributes(at i: Int, _ body: (UnsafePointer<JSONObject>) -> Void) -> Bool {
        guard case .attributes(let attributes) = inputs[i] else { return false }
        withUnsafePointer(to: attributes, body)
        return true
    }

    @inline(__always)
    func model(at i: Int) -> SyncModel? {
        if case .model(let model) = inputs[i] { return model }
        return nil
    }
}

/// Model instances only.
struct ModelInstanceInputs: SetInputSource {
    let models: UnsafeBufferPointer<SyncModel>

    var count: Int { models.count }

    @inline(__always)
    func withAttributes(at i: Int, _ body: (UnsafePointer<JSONObject>) -> Void) -> Bool { false }

    @inline(__always)
    func model(at i: Int) -> SyncModel? { models[i] }
}
