// Typed access to a model's attributes through Codable (the JSON layer's encoder/decoder).

extension SyncModel {
    /// Decodes the attributes as a `Decodable` type: `let todo = try model.decode(Todo.self)`.
    ///
    /// - Throws: `DecodingError` when the attributes do not fit `T`.
    public final func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.object(attributes).decode(T.self)
    }

    /// Sets the attributes encoded from `value` (which must encode as a JSON object), with the usual
    /// events for whatever changed. Keys absent from `value` are left as they are.
    ///
    /// - Returns: `false` if validation was requested and failed.
    /// - Throws: `EncodingError`, or ``ModelError/notAnObject(_:)`` when `value` is not an object.
    @discardableResult
    public final func set(encoding value: some Encodable, options: SetOptions = SetOptions()) throws -> Bool {
        let json = try JSON(encoding: value)
        guard case .object(let attributes) = json else { throw ModelError.notAnObject(json.typeName) }
        return set(attributes, options: options)
    }
}
