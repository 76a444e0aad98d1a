/// The count kept by a benchmark handler.
///
/// The benchmarks' handlers only count events. A `var` captured by an escaping closure costs a
/// dynamic exclusivity check on every increment (`swift_beginAccess`, about 75 instructions,
/// measured with callgrind on w2: 152 of 1,060 instructions per `set` for its two handlers). That
/// is the handler's price, not Tether's, so the count lives in a class field without the runtime
/// check (it is touched by one thread only).
final class HandlerCount {
    @exclusivity(unchecked) var value = 0
}
