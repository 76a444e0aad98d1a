/// Which models a batch of versioned writes changed, so that the binder can turn them into
/// Backbone `add` / `remove` / `change:attr` events without diffing the whole collection.
///
/// Read the new value of each id from ``VersionedDocument/state``: absent means removed.
public struct VersionedChanges: Sendable, Equatable {
    /// How much of one model changed.
    public enum Scope: Sendable, Equatable {
        /// The model itself was set, removed or created.
        case model
        /// Only these top-level attributes (and things inside them) changed.
        case attributes(Set<String>)
    }

    /// Ids of changed models, in the order they first changed.
    public private(set) var modelIDs: [String] = []
    private var scopes: [String: Scope] = [:]

    public init() {}

    public var isEmpty: Bool { modelIDs.isEmpty }

    /// How much of model `id` changed, or `nil` if it did not.
    public func scope(of id: String) -> Scope? { scopes[id] }

    /// Records a visible change made by a write at `path`.
    mutating func record(_ path: [String]) {
        let id = path[0]
        let attribute = path.count >= 2 ? path[1] : nil
        switch scopes[id] {
        case nil:
            modelIDs.append(id)
            scopes[id] = attribute.map { .attributes([$0]) } ?? .model
        case .model?:
            break
        case .attributes(var set)?:
            if let attribute {
                set.insert(attribute)
                scopes[id] = .attributes(set)
            } else {
                scopes[id] = .model
            }
        }
    }

    /// Adds the changes of a later batch.
    public mutating func formUnion(_ other: VersionedChanges) {
        for id in other.modelIDs {
            switch other.scopes[id] {
            case .model?: record([id])
            case .attributes(let set)?: for attribute in set { record([id, attribute]) }
            case nil: break
            }
        }
    }
}
