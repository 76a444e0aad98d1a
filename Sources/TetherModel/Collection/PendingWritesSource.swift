/// Knows which models have local writes their server has not acknowledged yet.
///
/// A sync layer (Tether's `RealtimeBinder`) installs one on each collection it binds, so that
/// ``SyncModel/hasPendingWrites`` works while the model layer knows nothing about sync.
public protocol PendingWritesSource: AnyObject {
    /// Whether the model with this id has unacknowledged local writes.
    func hasPendingWrites(modelID: String) -> Bool
}
