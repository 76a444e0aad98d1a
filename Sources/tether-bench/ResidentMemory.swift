import Foundation

/// Resident memory of this process, for "bytes per model" figures.
///
/// Linux: resident pages from `/proc/self/statm` × page size. glibc's `mallinfo2` is not exported
/// through Swift's Glibc module, so the figure is **resident** memory (RSS) growth, measured around
/// building the models with everything else held constant. Returns `nil` elsewhere.
enum ResidentMemory {
    static func bytes() -> Int? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
