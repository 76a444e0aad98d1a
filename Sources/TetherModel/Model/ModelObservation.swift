public import Observation

/// Observation support for ``SyncModel`` (SwiftUI re-renders when a read attribute changes).

final class ModelObservation {
    let registrar = ObservationRegistrar()
    init() {}
}

extension SyncModel: Observable {
    /// Tells Observation that the attributes were read.
    final func observationAccess() {
        observation.registrar.access(self, keyPath: \.attributes)
    }

    /// Tells Observation that the attributes changed (once per `set` that changed something).
    final func observationDidChange() {
        observation.registrar.willSet(self, keyPath: \.attributes)
        observation.registrar.didSet(self, keyPath: \.attributes)
    }
}
