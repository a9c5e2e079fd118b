import Benchmark
import ClicklogEvents
import ClicklogGenerator
import ClicklogStorage

/// The hot paths on generated traffic: parse (JSON bytes → columns), encode+compress (columns
/// → block), deduplication of ids, decode+scan (block → columns). Run with
/// `CLICKLOG_BENCHMARKS=1 swift package benchmark --target ClicklogBenchmarks`.
/// Gate on instructions and allocations, which are stable on a shared machine; wall time is
/// reported for information.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .instructions, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(5),
        maxIterations: 50
    )
    let events = 50_000
    let lines: [UInt8] = (try? TrafficGenerator.jsonLines(GeneratorOptions(events: events, seed: 42, days: 2))) ?? []
    let lineRanges: [Range<Int>] = {
        var ranges: [Range<Int>] = []
        var start = 0
        for (i, byte) in lines.enumerated() where byte == 0x0A {
            ranges.append(start..<i)
            start = i + 1
        }
        return ranges
    }()
    let enrichment = Enrichment(receivedAt: 1_768_000_000_000_000, site: "demo", userAgent: "bench", ip: "127.0.0.0")

    func parseAll() -> EventBatch {
        var parser = MessageParser()
        var batch = EventBatch()
        var filter = AdmitAll()
        lines.withUnsafeBytes { raw in
            for range in lineRanges {
                _ = try? parser.parse(
                    UnsafeRawBufferPointer(rebasing: raw[range]), now: 1_768_000_000_000,
                    enrichment: enrichment, into: &batch, filter: &filter)
            }
        }
        return batch
    }
    let parsed = parseAll()

    // The server's shape of traffic: batch messages of 50 events, parsed into a batch that
    // keeps its capacity from round to round (the server recycles its envelope batches).
    let messages: [[UInt8]] = lines.withUnsafeBytes { raw in
        stride(from: 0, to: lineRanges.count, by: 50).map { first in
            var message = Array(#"{"events":["#.utf8)
            for (k, range) in lineRanges[first..<min(first + 50, lineRanges.count)].enumerated() {
                if k > 0 { message.append(UInt8(ascii: ",")) }
                message.append(contentsOf: raw[range])
            }
            message.append(contentsOf: "]}".utf8)
            return message
        }
    }
    Benchmark("parse \(events) events in messages of 50 (\(messages.reduce(0) { $0 + $1.count } / 1_000_000) MB)") { benchmark in
        var parser = MessageParser()
        var batch = EventBatch()
        var filter = AdmitAll()
        for _ in benchmark.scaledIterations {
            batch.removeAll(keepingCapacity: true)
            for message in messages {
                message.withUnsafeBytes { bytes in
                    _ = try? parser.parse(bytes, now: 1_768_000_000_000, enrichment: enrichment, into: &batch, filter: &filter)
                }
            }
            blackHole(batch.count)
        }
    }
    let block = (try? BlockEncoder().encode(parsed)) ?? []

    Benchmark("parse \(events) events (\(lines.count / 1_000_000) MB of JSON)", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(parseAll())
        }
    }

    Benchmark("encode+compress \(events) events, zstd 3") { benchmark in
        let encoder = BlockEncoder()
        var out: [UInt8] = []
        for _ in benchmark.scaledIterations {
            blackHole(try encoder.encode(parsed, into: &out))
        }
    }

    // The ingest writer's deduplication at its steady state: the window full at its default
    // bound of 10M ids, so each batch of new ids is admitted, committed, and pushes the oldest
    // out. Nearly all of it is cache misses in a table of 10M slots, which a small window
    // would hide. The ids are SplitMix64 hashes made in the loop (a few ns each).
    let window = WindowBox()
    Benchmark(
        "deduplicate \(events) new ids against a full window of 10M",
        configuration: .init(metrics: [.wallClock, .throughput, .instructions], maxIterations: 20),
        closure: { benchmark in
            for _ in benchmark.scaledIterations {
                window.admitFresh(events)
            }
        },
        setup: { window.fill(10_000_000) }
    )

    Benchmark("decode all columns of \(events) events") { benchmark in
        let decoder = BlockDecoder()
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode(block))
        }
    }

    Benchmark("decode+scan ts and event of \(events) events") { benchmark in
        let decoder = BlockDecoder()
        for _ in benchmark.scaledIterations {
            let batch = try decoder.decode(block, columns: ColumnSet([.ts, .event]))
            var clicks = 0
            for row in 0..<batch.count where batch.event.withBytes(at: row, { $0.count == 5 }) { clicks &+= Int(batch.ts[row] & 1) }
            blackHole(clicks)
        }
    }
}

/// A deduplication window with the ids to feed it, shared by the benchmark's setup and body.
final class WindowBox: @unchecked Sendable {
    private var window = DeduplicationWindow()
    private var hashes: [UInt64] = []
    private var counter: UInt64 = 0

    /// Admits and commits `count` ids never seen before.
    func admitFresh(_ count: Int) {
        hashes.removeAll(keepingCapacity: true)
        for _ in 0..<count { hashes.append(next()) }
        var duplicates = 0
        hashes.withUnsafeBufferPointer { all in
            window.admit(hashes: all) { _ in duplicates += 1 }
            window.commit(hashes: all, receivedAt: 1_768_000_000_000_000)
        }
        precondition(duplicates == 0)
    }

    func fill(_ count: Int) {
        var left = count
        while left > 0 {
            admitFresh(min(left, 65_536))
            left -= 65_536
        }
    }

    private func next() -> UInt64 {
        counter &+= 0x9E37_79B9_7F4A_7C15
        var z = counter
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
