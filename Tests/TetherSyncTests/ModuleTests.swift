import Testing
import TetherSync

struct SyncModuleTests {
    @Test func reexportsJSON() {
        let value: JSON = ["id": 1]
        #expect(value["id"]?.intValue == 1)
    }
}
