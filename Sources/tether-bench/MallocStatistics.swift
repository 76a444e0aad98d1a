import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Bytes currently allocated through malloc, as glibc reports them.
///
/// Swift's Glibc module does not export `mallinfo2`, so this calls glibc's `malloc_stats()`
/// (found with `dlsym`), which prints per-arena totals to standard error, captures that output
/// through a pipe, and reads the final "in use bytes" line (all arenas plus mmapped chunks).
/// This is *malloc-reported* memory: what the program holds, independent of freed-but-cached pages,
/// which makes "bytes per model" comparable across runs. `nil` off glibc.
enum MallocStatistics {
    static func bytesInUse() -> Int? {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_stats") else { return nil }
        typealias MallocStats = @convention(c) () -> Void
        let mallocStats = unsafeBitCast(symbol, to: MallocStats.self)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        fflush(nil)
        let savedStderr = dup(STDERR_FILENO)
        dup2(fds[1], STDERR_FILENO)
        mallocStats()
        fflush(nil)
        dup2(savedStderr, STDERR_FILENO)
        close(savedStderr)
        close(fds[1])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        close(fds[0])
        // The last "in use bytes" line is the total over all arenas ("Total (incl. mmap):").
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        guard let total = lines.last(where: { $0.contains("in use bytes") }),
              let number = total.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
        else { return nil }
        return number
        #else
        return nil
        #endif
    }
}
