#ifndef C_TETHER_PREFETCH_H
#define C_TETHER_PREFETCH_H

/// Asks the CPU to bring the cache line holding `address` closer, for reading, without waiting
/// for it. Never faults (an invalid address is ignored), so a stale guess costs nothing but bandwidth.
static inline __attribute__((always_inline)) void tether_prefetch(const void *_Nullable address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
