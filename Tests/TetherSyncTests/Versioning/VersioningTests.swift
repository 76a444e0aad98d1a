import Testing

/// Conflict-free versioning: stamps, clocks, the versioned document and its wire form.
@Suite struct VersioningTests {}
