@testable import API
import Testing
import TestSupport

@Suite struct RouteGroupTests {
    @Test func theRouteGroupsServeEveryRouteOnce() throws {
        let store = try TemporaryDatabase().store()
        let served = APIServer.groups(store: store, configuration: APIConfiguration(), metrics: APIMetrics()).flatMap(\.handlers.keys)
        #expect(served.count == APIRoute.all.count)
        #expect(Set(served) == Set(APIRoute.all))
    }
}
