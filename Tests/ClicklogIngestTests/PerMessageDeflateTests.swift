import NIOHTTP1
import Testing
@testable import ClicklogIngest

/// Which `Sec-WebSocket-Extensions` offers the server accepts, and what it answers (RFC 7692 §7.1).
@Suite struct PerMessageDeflateTests {
    func response(_ values: String...) -> String? {
        PerMessageDeflate.response(to: HTTPHeaders(values.map { ("Sec-WebSocket-Extensions", $0) }))
    }

    static let plain = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"

    @Test func aPlainOfferIsAcceptedWithoutContextTakeoverOnEitherSide() {
        #expect(response("permessage-deflate") == Self.plain)
        // What browsers send.
        #expect(response("permessage-deflate; client_max_window_bits") == Self.plain)
        #expect(response("Permessage-Deflate") == Self.plain)
    }

    @Test func noOfferMeansNoCompression() {
        #expect(PerMessageDeflate.response(to: HTTPHeaders()) == nil)
        #expect(response("x-webkit-deflate-frame") == nil)
    }

    @Test func aRequestedServerWindowIsEchoedBecauseTheServerNeverCompresses() {
        #expect(response("permessage-deflate; server_max_window_bits=10") == Self.plain + "; server_max_window_bits=10")
        #expect(response("permessage-deflate; server_max_window_bits=\"9\"; client_max_window_bits=12") == Self.plain + "; server_max_window_bits=9")
    }

    @Test(arguments: [
        "permessage-deflate; server_max_window_bits",  // needs a value
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=010",
        "permessage-deflate; client_max_window_bits=abc",
        "permessage-deflate; client_no_context_takeover=1",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; unknown_parameter",
    ])
    func anInvalidOfferIsDeclined(_ offer: String) {
        #expect(response(offer) == nil)
    }

    @Test func theFirstValidOfferWinsAcrossListsAndHeaderLines() {
        #expect(response("permessage-deflate; server_max_window_bits=20, permessage-deflate; server_max_window_bits=12") == Self.plain + "; server_max_window_bits=12")
        #expect(response("foo; bar", "permessage-deflate; bogus", "permessage-deflate") == Self.plain)
    }
}
