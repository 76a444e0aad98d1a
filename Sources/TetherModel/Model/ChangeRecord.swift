/// One attribute written since the outermost `set` began: its value before (Backbone's
/// `_previousAttributes[key]`) and whether it differs now (Backbone's `key in changed`).
///
/// A model keeps these only for touched keys, so a `set` of one attribute on a large model never
/// copies the other attributes.

struct ChangeRecord {
    let key: String
    /// The value before the outermost `set`; `nil` when the key was absent.
    var previous: JSON?
    /// Whether the current value differs from ``previous``.
    var isChanged: Bool

    init(key: String, previous: JSON?, isChanged: Bool) {
        self.key = key
        self.previous = previous
        self.isChanged = isChanged
    }
}
