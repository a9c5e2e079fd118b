import ClicklogEvents
import ClicklogTestSupport
import Foundation
@testable import ClicklogStorage

/// A data directory for one test, removed when the test's closure returns.
func withDataDirectory<R>(_ label: String = "storage", _ body: (String) throws -> R) throws -> R {
    let dir = try TemporaryDirectory(label)
    defer { dir.remove() }
    return try body(dir.appending("data"))
}

func withDataDirectory<R>(_ label: String = "storage", _ body: (String) async throws -> R) async throws -> R {
    let dir = try TemporaryDirectory(label)
    defer { dir.remove() }
    return try await body(dir.appending("data"))
}

func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func flipByte(_ path: String, at offset: Int) throws {
    var bytes = try readFile(path)
    bytes[offset] ^= 0x5A
    try writeFile(path, bytes)
}

func segmentPath(_ directory: String, _ sequence: UInt64) -> String {
    DataLayout(directory: directory).segment(sequence)
}

/// Every event of every readable block, in log order.
func readAll(_ directory: String, columns: ColumnSet = .all) throws -> [Event] {
    let reader = try LogReader(directory: directory)
    var events: [Event] = []
    try reader.scan(columns: columns) { _, batch in events += batch.events }
    return events
}

/// `count` edge-case batches of 1...`maxRows` rows from `seed`.
func edgeBatches(_ count: Int, maxRows: Int = 40, seed: UInt64) -> [[Event]] {
    var rng = SeededRandom(seed: seed)
    return (0..<count).map { _ in RandomEvents.edgeCases(count: 1 + Int(rng.next() % UInt64(maxRows)), rng: &rng) }
}

/// A small, fixed batch whose events carry `marker` in `ts`, so a reader can tell blocks apart.
func markedBatch(_ marker: Int64, rows: Int) -> EventBatch {
    var batch = EventBatch()
    for i in 0..<rows {
        batch.append(Event(
            event: "page_view", ts: marker, anonymousID: "a-\(i)", url: "https://x.example/\(i % 3)",
            receivedAt: marker * 1000 + Int64(i), site: marker % 2 == 0 ? "even" : "odd"))
    }
    return batch
}

extension Array where Element == UInt8 {
    var hexString: String {
        map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
    }
}
