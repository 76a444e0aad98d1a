/// Polls `condition` every 2 ms until it holds or `timeout` passes; returns whether it held.
///
/// Generous timeouts are right here: parallel suites can keep the main actor busy for seconds on a
/// loaded machine, while the conditions normally hold within milliseconds.
func eventually(
    within timeout: Duration, isolation: isolated (any Actor)? = #isolation, _ condition: () -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return true
}
