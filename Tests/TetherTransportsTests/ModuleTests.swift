import Testing
import TetherTransports

struct TransportsModuleTests {
    @Test func reexportsJSON() {
        let value: JSON = ["id": 1]
        #expect(value["id"]?.intValue == 1)
    }
}
