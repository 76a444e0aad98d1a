public import TetherSync

/// SplitMix64, the seeded generator every property test uses, so each run reproduces from its seed
/// (and a failure names the seed that reproduces it). It is TetherSync's `SeededGenerator` (the one
/// the binder's jitter and the benchmark use), under the algorithm's name.
public typealias SplitMix64 = SeededGenerator
