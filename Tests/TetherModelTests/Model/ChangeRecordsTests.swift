import Testing
@testable import TetherJSON
@testable import TetherModel
import TetherTestSupport

/// `ChangeRecords` manages its own memory; these tests hold it to an `Array` of the same records
/// under random operations (values holding references included, so a lost or doubled release
/// shows up under the address sanitizer and as wrong contents here).
@Suite struct ChangeRecordsTests {
    static func describe(_ record: ChangeRecord) -> String {
        "\(record.key)=\(record.previous?.serialized() ?? "absent")/\(record.isChanged)"
    }

    static func contents(_ records: borrowing ChangeRecords) -> [String] {
        records.prefix(records.count).map(describe)
    }

    @Test("ChangeRecords: random appends, inserts, removals, writes and trims agree with an Array", arguments: [1, 2, 3] as [UInt64])
    func agreesWithAnArray(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var records = ChangeRecords()
        var reference: [ChangeRecord] = []
        func randomRecord() -> ChangeRecord {
            let n = Int(rng.next() % 50)
            let previous: JSON? = switch n % 4 {
            case 0: nil
            case 1: .int(Int64(n))
            case 2: .string(String(repeating: "long value \(n) ", count: 3))
            default: .array([.int(Int64(n)), .string("element \(n) with a long text")])
            }
            return ChangeRecord(key: "key\(n)", previous: previous, isChanged: n % 3 == 0)
        }
        for _ in 0..<3_000 {
            switch rng.next() % 6 {
            case 0, 1:
                let record = randomRecord()
                records.append(record)
                reference.append(record)
            case 2:
                let record = randomRecord()
                let i = Int(rng.next() % UInt64(reference.count + 1))
                records.insert(record, at: i)
                reference.insert(record, at: i)
            case 3:
                guard !reference.isEmpty else { continue }
                let i = Int(rng.next() % UInt64(reference.count))
                let removed = records.remove(at: i)
                #expect(Self.describe(removed) == Self.describe(reference.remove(at: i)))
            case 4:
                guard !reference.isEmpty else { continue }
                let i = Int(rng.next() % UInt64(reference.count))
                let record = randomRecord()
                records.pointer(at: i).pointee = record
                reference[i] = record
            default:
                let n = Int(rng.next() % 12)
                records.truncate(to: n)
                if n < reference.count { reference.removeSubrange(n...) }
            }
            #expect(records.count == reference.count)
        }
        #expect(Self.contents(records) == reference.map(Self.describe))
        #expect(records.first.map { Self.describe($0.pointee) } == reference.first.map(Self.describe))
    }
}
