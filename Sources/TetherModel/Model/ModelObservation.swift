public import Observation

/// Observation support for ``SyncModel`` (SwiftUI re-renders when a read attribute changes).

final class ModelObservation {
    /// Whether the attributes were read through an observed accessor since the last notification.
    ///
    /// Observation trackers are one-shot and install themselves by reading, so when nothing was
    /// read since the last `willSet`/`didSet`, nobody can be tracking and the notification is skipped.
    /// (Declared first: its offset is then a constant, not read from the resilient registrar's layout.)
    @exclusivity(unchecked) var accessed = false
    let registrar = ObservationRegistrar()
    init() {}
}

extension SyncModel: Observable {
    /// Tells Observation that the attributes were read.
    final func observationAccess() {
        observation.accessed = true
        observation.registrar.access(self, keyPath: \.attributes)
    }

    /// Tells Observation that the attributes changed (once per `set` that changed something).
    @inline(__always)
    final func observationDidChange() {
        guard observation.accessed else { return }
        notifyObservers()
    }

    /// The slow half of ``observationDidChange()``: someone read the attributes since the last change.
    final func notifyObservers() {
        observation.accessed = false
        observation.registrar.willSet(self, keyPath: \.attributes)
        observation.registrar.didSet(self, keyPath: \.attributes)
    }
}
