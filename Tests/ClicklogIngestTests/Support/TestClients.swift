import Foundation
import NIOSSL

/// Opens a WebSocket to the server: the handshake by hand, so tests can leave out or vary
/// any header. Returns the connection and the server's response (101 or the refusal).
func webSocket(
    port: Int, path: String = "/v1/ws?site=demo", origin: String? = "http://localhost:3000",
    subprotocols: String? = "clicklog.v1", extraHeaders: [(String, String)] = [], tls: NIOSSLContext? = nil
) async throws -> (TestConnection, TestConnection.HTTPResponse) {
    let connection = try await TestConnection(port: port, tls: tls, serverName: tls == nil ? nil : "localhost")
    var request = "GET \(path) HTTP/1.1\r\nHost: localhost:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    if let origin { request += "Origin: \(origin)\r\n" }
    if let subprotocols { request += "Sec-WebSocket-Protocol: \(subprotocols)\r\n" }
    for (name, value) in extraHeaders { request += "\(name): \(value)\r\n" }
    request += "\r\n"
    try await connection.write(request)
    let response = try await connection.readResponse()
    return (connection, response)
}

/// Opens a WebSocket that must be accepted.
func openWebSocket(port: Int, path: String = "/v1/ws?site=demo", origin: String? = "http://localhost:3000", tls: NIOSSLContext? = nil) async throws -> TestConnection {
    let (connection, response) = try await webSocket(port: port, path: path, origin: origin, tls: tls)
    guard response.status == 101 else { throw TestError("upgrade refused: \(response.status) \(response.text)") }
    return connection
}

/// One HTTP/1.1 request on a fresh connection.
func httpRequest(
    port: Int, method: String = "GET", path: String, headers: [(String, String)] = [], body: [UInt8] = [], tls: NIOSSLContext? = nil
) async throws -> TestConnection.HTTPResponse {
    let connection = try await TestConnection(port: port, tls: tls, serverName: tls == nil ? nil : "localhost")
    defer { Task { [connection] in await connection.close() } }
    var request = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n"
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    if method == "POST" || !body.isEmpty { request += "Content-Length: \(body.count)\r\n" }
    request += "\r\n"
    try await connection.write(Array(request.utf8) + body)
    return try await connection.readResponse(headRequest: method == "HEAD")
}

/// A batch message of events with the given ids (`nil`: no id).
func batchMessage(seq: Int?, ids: [String?], badTsAt: Set<Int> = [], ts: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> String {
    let events = ids.enumerated().map { index, id in
        let tsText = badTsAt.contains(index) ? "\"yesterday\"" : "\(ts)"
        let idText = id.map { ",\"id\":\"\($0)\"" } ?? ""
        return "{\"event\":\"click\",\"ts\":\(tsText),\"anonymous_id\":\"anon-\(index)\"\(idText)}"
    }
    let seqText = seq.map { "\"seq\":\($0)," } ?? ""
    return "{\(seqText)\"events\":[\(events.joined(separator: ","))]}"
}

/// Parses an ack into a dictionary, for tests that check a field or two.
func ackFields(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw TestError("not a JSON object: \(text)")
    }
    return object
}
