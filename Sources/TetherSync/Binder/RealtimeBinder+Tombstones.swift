// Bounding tombstones: the mirrors forget removals older than the horizon (VERSIONING.md).

extension RealtimeBinder {
    /// How often, in clock time, the binder looks for expired tombstones.
    static let tombstoneCollectionInterval: UInt64 = 60_000

    /// Drops tombstones older than ``Options/tombstoneHorizonMilliseconds`` from every mirror, at
    /// most once per ``tombstoneCollectionInterval``. Runs after a batch of frames; what it drops
    /// is invisible, so it fires no events, but the next save persists the smaller metadata.
    func collectTombstonesIfDue() {
        guard let horizon = options.tombstoneHorizonMilliseconds else { return }
        let now = options.clock.now()
        guard lastTombstoneCollection == 0 || now >= lastTombstoneCollection &+ Self.tombstoneCollectionInterval else { return }
        lastTombstoneCollection = now
        let cutoff = now > horizon ? now - horizon : 0
        for name in order {
            if let collected = withMirror(name, { $0.collectTombstones(olderThan: cutoff) }), collected > 0 {
                needsSave = true
            }
        }
    }
}
