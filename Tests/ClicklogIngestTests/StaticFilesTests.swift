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

    @Test func compactionDropsTheHeaderCommentLinesAndIndentationOnly() {
        let source = """
            /*! Title
             * more header
             */
            (() => {
              // a comment line
                const url = "http://example.test/a"; // stays: not a whole-line comment

              f(url);
            })();
            """
        let served = String(decoding: SnippetCompactor.compact(Array(source.utf8)), as: UTF8.self)
        #expect(served == """
            /*! Clicklog snippet, protocol v1 (source: Web/c.js) */
            (() => {
            const url = "http://example.test/a"; // stays: not a whole-line comment
            f(url);
            })();

            """)
    }

    @Test func servedSnippetKeepsEveryCodeLineOfTheSourceInOrder() throws {
        let web = try #require(StaticFiles.bundledWebDirectory)
        let source = try String(contentsOf: web.appendingPathComponent("c.js"), encoding: .utf8)
        let bundled = try StaticFiles(web: web, includeDemo: false)
        let snippet = try #require(bundled.snippet)
        let served = snippet.body.getString(at: snippet.body.readerIndex, length: snippet.body.readableBytes) ?? ""
        let headerEnd = try #require(source.range(of: "*/"))
        let code = source[headerEnd.upperBound...].split(separator: "\n")
            .map { $0.drop(while: { $0 == " " }) }
            .filter { !$0.isEmpty && !$0.hasPrefix("//") }
            .map(String.init)
        let lines = served.split(separator: "\n").map(String.init)
        #expect(Array(lines.dropFirst()) == code)
        #expect(served.utf8.count < source.utf8.count * 85 / 100)
        #expect(served.contains("module.exports"), "the node tests' export line is part of the served file too")
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
