import Testing
import TetherModel

struct ModelModuleTests {
    @Test func reexportsJSON() {
        let value: JSON = ["id": 1]
        #expect(value["id"]?.intValue == 1)
    }
}
