import Foundation
import NIOCore

/// The files the server hands out: `/c.js` always (compacted, `SnippetCompactor`), the demo
/// shop (`Web/demo`) with `--demo`.
///
/// All are read once at startup from the target's bundled `Web` directory (a few dozen KiB)
/// and served from memory with an ETag. Demo paths map as Web/README.md says: `/` →
/// `index.html`, `P` → `demo/P` or `demo/P.html`; paths with `.` or `..` segments, empty
/// segments, backslashes or NUL are refused, so nothing outside `demo/` can be named.
struct StaticFiles: Sendable {
    struct File: Sendable, Equatable {
        var body: ByteBuffer
        var contentType: String
        var etag: String
    }

    /// `c.js`, the browser snippet.
    let snippet: File?
    /// Demo files by path relative to `demo/` (`product/1.html`); empty without `--demo`.
    let demo: [String: File]

    /// Scripts may change between releases; five minutes lets fixes reach pages quickly.
    static let cacheControl = "public, max-age=300"

    /// The bundled `Web` directory.
    static var bundledWebDirectory: URL? {
        Bundle.module.url(forResource: "Web", withExtension: nil)
    }

    init(snippet: File?, demo: [String: File]) {
        self.snippet = snippet
        self.demo = demo
    }

    /// Reads `c.js` and, when `includeDemo`, every file of `demo/` under `web`.
    init(web: URL?, includeDemo: Bool) throws {
        guard let web else {
            snippet = nil
            demo = [:]
            return
        }
        snippet = try StaticFiles.file(at: web.appendingPathComponent("c.js"), transform: SnippetCompactor.compact)
        var files: [String: File] = [:]
        if includeDemo {
            let root = web.appendingPathComponent("demo")
            let rootPath = root.standardizedFileURL.path
            if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
                for case let url as URL in walker {
                    guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
                    let path = url.standardizedFileURL.path
                    guard path.hasPrefix(rootPath + "/") else { continue }
                    files[String(path.dropFirst(rootPath.count + 1))] = try StaticFiles.file(at: url)
                }
            }
        }
        demo = files
    }

    /// The demo file for a decoded URL path, following Web/README.md's mapping.
    func demoFile(path: String) -> File? {
        guard !demo.isEmpty else { return nil }
        if path == "/" { return demo["index.html"] }
        guard path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else { return nil }
        let relative = String(path.dropFirst())
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return nil }
        return demo[relative] ?? demo[relative + ".html"]
    }

    private static func file(at url: URL, transform: (([UInt8]) -> [UInt8])? = nil) throws -> File {
        var data = try Data(contentsOf: url)
        if let transform { data = Data(transform(Array(data))) }
        var buffer = ByteBufferAllocator().buffer(capacity: data.count)
        buffer.writeBytes(data)
        let type: String
        switch url.pathExtension {
        case "html": type = "text/html; charset=utf-8"
        case "js": type = "text/javascript; charset=utf-8"
        case "css": type = "text/css; charset=utf-8"
        case "json": type = "application/json"
        case "svg": type = "image/svg+xml"
        case "png": type = "image/png"
        default: type = "application/octet-stream"
        }
        return File(body: buffer, contentType: type, etag: "\"\(fnv1a(data))\"")
    }

    /// A 64-bit FNV-1a hash as hex, for ETags.
    private static func fnv1a(_ data: Data) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }
}
