import ClicklogStorage
import Testing
@testable import ClicklogIngest

/// permessage-deflate over real sockets: the negotiation in the 101 response, compressed
/// messages stored like any others, and the switch in the configuration.
extension WebSocketEndToEndTests {
    static let browserOffer = ("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")

    @Test func compressedMessagesAreInflatedStoredAndAcked() async throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let (ws, response) = try await webSocket(port: server.port, extraHeaders: [Self.browserOffer])
        #expect(response.status == 101)
        #expect(response.header("sec-websocket-extensions") == "permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        let message = batchMessage(seq: 1, ids: ["z1", "z2", "z3"])
        let compressed = deflateMessage(Array(message.utf8))
        // Split in two frames, RSV1 (0x40) on the first only.
        try await ws.sendFrame(opcode: 0x1, Array(compressed.prefix(20)), fin: false, rsv: 0x40)
        try await ws.sendFrame(opcode: 0x0, Array(compressed.dropFirst(20)))
        #expect(try await ws.readText() == #"{"ack": 1, "accepted": 3, "duplicates": 0, "rejected": []}"#)
        // Then an uncompressed one on the same connection.
        try await ws.sendText(batchMessage(seq: 2, ids: ["z4"]))
        #expect(try await ws.readText() == #"{"ack": 2, "accepted": 1, "duplicates": 0, "rejected": []}"#)

        var stored: [String] = []
        try LogReader(directory: server.dataPath).scan { _, batch in
            for row in 0..<batch.count { stored.append(batch.id.string(at: row)!) }
        }
        #expect(stored == ["z1", "z2", "z3", "z4"])
        #expect(server.server.metricsText().contains("clicklog_messages_compressed_total 1\n"))
    }

    @Test func aCompressedMessageInflatingPastTheLimitClosesWith1009() async throws {
        let server = try TestServer.start { $0.limits.events.maxMessageBytes = 4096 }
        defer { server.stop() }
        let (ws, response) = try await webSocket(port: server.port, extraHeaders: [Self.browserOffer])
        #expect(response.status == 101)
        let bomb = deflateMessage(Array(("{\"events\":[" + String(repeating: " ", count: 1 << 20) + "]}").utf8))
        #expect(bomb.count < 4096)
        try await ws.sendFrame(opcode: 0x1, bomb, rsv: 0x40)
        #expect(try await ws.readClose() == 1009)
        try await ws.waitForClose()
    }

    @Test func withDeflateOffTheOfferIsIgnoredAndRSV1Fails() async throws {
        let server = try TestServer.start { $0.permessageDeflate = false }
        defer { server.stop() }
        let (ws, response) = try await webSocket(port: server.port, extraHeaders: [Self.browserOffer])
        #expect(response.status == 101)
        #expect(response.header("sec-websocket-extensions") == nil)
        try await ws.sendFrame(opcode: 0x1, deflateMessage(Array(batchMessage(seq: 1, ids: ["x"]).utf8)), rsv: 0x40)
        #expect(try await ws.readClose() == 1002)
        try await ws.waitForClose()
    }
}
