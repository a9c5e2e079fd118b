import Benchmark
import ClicklogEvents
import ClicklogGenerator
import ClicklogStorage

/// The hot paths on generated traffic: parse (JSON bytes → columns), encode+compress (columns
/// → block), decode+scan (block → columns). Run with
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
