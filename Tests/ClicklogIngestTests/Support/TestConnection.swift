import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A raw TCP (or TLS) connection to the server under test, driven byte by byte: tests write
/// exactly the HTTP and WebSocket bytes they mean (malformed ones too) and read what comes
/// back, with a timeout on every read.
final class TestConnection: @unchecked Sendable {
    // @unchecked: used by one test task at a time; the channel and the inbox are thread-safe.
    let channel: Channel
    private let inbox: Inbox
    /// Bytes received and not consumed yet.
    var buffer = ByteBuffer()
    private(set) var isClosed = false

    static let group = MultiThreadedEventLoopGroup.singleton

    /// What the channel received, taken by the test task by polling.
    private final class Inbox: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        struct State {
            var chunks: [ByteBuffer] = []
            var closed = false
        }
        let state = Mutex(State())

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let chunk = unwrapInboundIn(data)
            state.withLock { $0.chunks.append(chunk) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLock { $0.closed = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }

        func take() -> (chunks: [ByteBuffer], closed: Bool) {
            state.withLock { state in
                defer { state.chunks = [] }
                return (state.chunks, state.closed)
            }
        }
    }

    init(port: Int, tls: NIOSSLContext? = nil, serverName: String? = nil) async throws {
        let inbox = Inbox()
        self.inbox = inbox
        channel = try await ClientBootstrap(group: TestConnection.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(inbox)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    deinit {
        channel.close(promise: nil)
    }

    func write(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    func close() async {
        try? await channel.close()
    }

    /// Reads more bytes into `buffer`; returns `false` at end of stream.
    @discardableResult
    func fill(timeout: Double = 10) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let (chunks, closed) = inbox.take()
            if !chunks.isEmpty {
                for var chunk in chunks { buffer.writeBuffer(&chunk) }
                return true
            }
            if closed {
                isClosed = true
                return false
            }
            if Date() > deadline { throw TestError("nothing received within \(timeout) s") }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
    }

    /// Waits until the server closes the connection (discarding what it sends).
    func waitForClose(timeout: Double = 10) async throws {
        while try await fill(timeout: timeout) {}
    }

    // MARK: HTTP

    struct HTTPResponse {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Reads one HTTP response (its body by Content-Length; none for 101, 204 and 304).
    func readResponse(timeout: Double = 10, headRequest: Bool = false) async throws -> HTTPResponse {
        var headEnd: Int?
        while true {
            let view = buffer.readableBytesView
            if let range = view.firstRange(of: Array("\r\n\r\n".utf8)) {
                headEnd = range.upperBound - view.startIndex
                break
            }
            guard try await fill(timeout: timeout) else { throw TestError("connection closed before a response head") }
        }
        let headText = buffer.readString(length: headEnd!)!
        var lines = headText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestError("bad status line") }
        let headers = lines.map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : "")
        }
        var response = HTTPResponse(status: status, headers: headers, body: [])
        if status == 101 || status == 204 || status == 304 || headRequest { return response }
        let length = Int(response.header("content-length") ?? "0") ?? 0
        while buffer.readableBytes < length {
            guard try await fill(timeout: timeout) else { throw TestError("connection closed inside a response body") }
        }
        response.body = buffer.readBytes(length: length)!
        return response
    }

    // MARK: WebSocket

    struct Frame: Equatable {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]

        var text: String { String(decoding: payload, as: UTF8.self) }
        /// The close code of a close frame.
        var closeCode: UInt16? {
            guard opcode == 0x8, payload.count >= 2 else { return nil }
            return UInt16(payload[0]) << 8 | UInt16(payload[1])
        }
    }

    /// Sends one masked frame (clients must mask); `rsv` sets the reserved bits (0x70 mask).
    func sendFrame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0, masked: Bool = true) async throws {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | rsv | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            bytes.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            bytes.append(maskBit | 126)
            bytes.append(UInt8(payload.count >> 8))
            bytes.append(UInt8(payload.count & 0xFF))
        } else {
            bytes.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        if masked {
            let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
            bytes += key
            bytes += payload.enumerated().map { $0.element ^ key[$0.offset & 3] }
        } else {
            bytes += payload
        }
        try await write(bytes)
    }

    func sendText(_ text: String) async throws {
        try await sendFrame(opcode: 0x1, Array(text.utf8))
    }

    /// Reads the next frame from the server (which never masks).
    func readFrame(timeout: Double = 10) async throws -> Frame {
        while true {
            if let frame = parseFrame() { return frame }
            guard try await fill(timeout: timeout) else { throw TestError("connection closed before a frame") }
        }
    }

    /// Reads frames until a text frame, skipping pings.
    func readText(timeout: Double = 10) async throws -> String {
        while true {
            let frame = try await readFrame(timeout: timeout)
            if frame.opcode == 0x1 { return frame.text }
            if frame.opcode == 0x8 { throw TestError("closed with \(frame.closeCode.map(String.init) ?? "no code"): \(String(decoding: frame.payload.dropFirst(2), as: UTF8.self))") }
        }
    }

    /// Reads frames until the close frame; returns its code.
    func readClose(timeout: Double = 10) async throws -> UInt16? {
        while true {
            let frame = try await readFrame(timeout: timeout)
            if frame.opcode == 0x8 { return frame.closeCode }
        }
    }

    private func parseFrame() -> Frame? {
        let view = buffer.readableBytesView
        guard view.count >= 2 else { return nil }
        let b0 = view[view.startIndex], b1 = view[view.startIndex + 1]
        var length = Int(b1 & 0x7F)
        var offset = 2
        if length == 126 {
            guard view.count >= 4 else { return nil }
            length = Int(view[view.startIndex + 2]) << 8 | Int(view[view.startIndex + 3])
            offset = 4
        } else if length == 127 {
            guard view.count >= 10 else { return nil }
            length = 0
            for i in 0..<8 { length = length << 8 | Int(view[view.startIndex + 2 + i]) }
            offset = 10
        }
        guard view.count >= offset + length else { return nil }
        buffer.moveReaderIndex(forwardBy: offset)
        let payload = buffer.readBytes(length: length)!
        return Frame(fin: b0 & 0x80 != 0, opcode: b0 & 0x0F, payload: payload)
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
