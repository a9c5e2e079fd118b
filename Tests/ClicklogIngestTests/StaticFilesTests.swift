import NIOCore
import Testing
@testable import ClicklogIngest

@Suite struct StaticFilesTests {
    let files: StaticFiles = {
        func file(_ name: String) -> StaticFiles.File {
            StaticFiles.File(body: ByteBuffer(string: name), contentType: "text/html; charset=utf-8", etag: "\"\(name)\"")
        }
        return StaticFiles(snippet: nil, demo: [
            "index.html": file("index"), "shop.js": file("shop"), "product/1.html": file("p1"),
            "checkout.html": file("checkout"),
        ])
    }()

    func name(_ path: String) -> String? {
        files.demoFile(path: path).map { String(buffer: $0.body) }
    }

    @Test func mapsPathsAsTheWebREADMESays() {
        #expect(name("/") == "index")
        #expect(name("/shop.js") == "shop")
        #expect(name("/product/1") == "p1")
        #expect(name("/checkout") == "checkout")
        #expect(name("/checkout.html") == "checkout")
        #expect(name("/product/2") == nil)
    }

    @Test func refusesPathsThatCouldLeaveTheDemoDirectory() {
        for path in ["/../index.html", "/product/../index.html", "/./shop.js", "//shop.js", "/product//1", "/shop.js/", "/a\\b", "/a\0b", "index.html"] {
            #expect(name(path) == nil, "\(path)")
        }
    }

    @Test func theBundleHasTheSnippetAndTheShop() throws {
        let bundled = try StaticFiles(web: StaticFiles.bundledWebDirectory, includeDemo: true)
        let snippet = try #require(bundled.snippet)
        #expect(snippet.contentType == "text/javascript; charset=utf-8")
        #expect(bundled.demoFile(path: "/")?.contentType == "text/html; charset=utf-8")
        #expect(bundled.demoFile(path: "/product/1") != nil)
        #expect(bundled.demoFile(path: "/order/confirmed") != nil)
        let withoutDemo = try StaticFiles(web: StaticFiles.bundledWebDirectory, includeDemo: false)
        #expect(withoutDemo.demoFile(path: "/") == nil)
    }
}

/// The single mapping of refusals to close codes and statuses (IngestError+Response.swift).
@Suite struct IngestErrorMappingTests {
    @Test func closeCodesAndStatusesFollowTheSpec() {
        let table: [(IngestError, UInt16, Int)] = [
            (.messageTooLarge(limit: 1), 1009, 413),
            (.binaryFrame, 1003, 400),
            (.invalidUTF8, 1007, 400),
            (.protocolViolation("x"), 1002, 400),
            (.idleTimeout(seconds: 1), 1001, 503),
            (.shuttingDown, 1001, 503),
            (.unknownSite("k"), 1008, 401),
            (.missingSite, 1008, 401),
            (.originNotAllowed("o", site: "s"), 1008, 403),
            (.originMissing(site: "s"), 1008, 403),
            (.subprotocolRefused(offered: "chat"), 1008, 400),
            (.tooManyConnections(limit: 1), 1013, 503),
            (.unsupportedMediaType("text/html"), 1008, 415),
        ]
        for (error, code, status) in table {
            #expect(error.closeCode == code, "\(error.code)")
            #expect(error.httpStatus == status, "\(error.code)")
        }
    }

    @Test func everyErrorSaysWhatToDo() {
        #expect(IngestError.unknownSite("zzz").description == "unknown site key \"zzz\": use a key from the server's configuration")
        #expect(IngestError.subprotocolRefused(offered: "chat").description.contains("offer clicklog.v1"))
    }
}
