import Foundation
@testable import TetherTransports
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct RetryAfterTests {
    func response(_ retryAfter: String?) -> HTTPURLResponse {
        HTTPURLResponse(
            url: URL(string: "http://127.0.0.1/")!, statusCode: 503, httpVersion: "HTTP/1.1",
            headerFields: retryAfter.map { ["retry-after": $0] } ?? [:])!
    }

    @Test func deltaSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(response("120").retryAfterMilliseconds(now: now) == 120_000)
        #expect(response(" 0 ").retryAfterMilliseconds(now: now) == 0)
        #expect(response("Wed, 21 Oct 2015 07:28:05 GMT").retryAfterMilliseconds(now: now) == 5_000)
        #expect(response("Wed, 21 Oct 2015 07:27:00 GMT").retryAfterMilliseconds(now: now) == 0, "a past date: now")
        #expect(response(nil).retryAfterMilliseconds(now: now) == nil)
        #expect(response("-1").retryAfterMilliseconds(now: now) == nil)
        #expect(response("1.5").retryAfterMilliseconds(now: now) == nil)
        #expect(response("soon").retryAfterMilliseconds(now: now) == nil)
        #expect(response("99999999999999999999").retryAfterMilliseconds(now: now) == nil)
    }

    @Test func queryValuesArePercentEncoded() {
        let configuration = HTTPTransportConfiguration(baseURL: URL(string: "https://example.com/sync/")!)
        let url = configuration.url("v1/poll", query: [("cursor", "todos=e1:4,ü s=e+2:1"), ("client", "c-1_.~")])
        #expect(url.absoluteString == "https://example.com/sync/v1/poll?cursor=todos%3De1%3A4%2C%C3%BC%20s%3De%2B2%3A1&client=c-1_.~")
    }
}
