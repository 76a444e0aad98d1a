import Testing
import TetherModel

/// `SetOptions` packs its flags and the event index into one word and keeps `at` and the
/// reference-typed fields in a shared box; every field must still read back what was written,
/// independently of the others, and copies must not share writes.
struct SetOptionsTests {
    @Test func everyFieldRoundTripsIndependently() {
        var options = SetOptions(silent: true, validate: true, add: false, merge: true, at: 3)
        #expect(options.silent && !options.unset && options.validate && !options.parse)
        #expect(options.add == false && options.remove == nil && options.merge == true && options.sort == nil)
        #expect(options.at == 3 && options.index == nil)
        for index in [0, 1, 41, 1 << 40, (1 << 47) - 1] {
            options.index = index
            #expect(options.index == index)
            #expect(options.silent && options.validate && options.add == false && options.merge == true)
            #expect(options.at == 3)
        }
        options.sort = false
        options.unset = true
        #expect(options.index == (1 << 47) - 1 && options.sort == false && options.unset)
        options.index = nil
        #expect(options.index == nil && options.silent && options.sort == false)
        options.at = nil
        #expect(options.at == nil)
        #expect(SetOptions().at == nil && SetOptions().index == nil && !SetOptions().silent)
    }

    @Test func copiesDoNotShareWrites() {
        var a = SetOptions(at: 1)
        a["source"] = "server"
        var b = a
        b.at = 2
        b["source"] = "client"
        b.index = 5
        #expect(a.at == 1 && a["source"] == "server" && a.index == nil)
        #expect(b.at == 2 && b["source"] == "client" && b.index == 5)
    }
}
