import ClicklogEvents
import Foundation
import Testing
@testable import ClicklogStorage

struct ConcurrentReadTests {
    /// A reader thread scans over and over while the writer appends and group-commits. Every
    /// block it sees is whole (decodes, row count matches the catalog), it never sees a block
    /// before its commit returned, and what it sees only grows.
    @Test func readerSeesOnlyWholeCommittedBlocksWhileWriterAppends() throws {
        try withDataDirectory { dir in
            let writer = try LogWriter(directory: dir)
            let reader = try LogReader(directory: dir)
            let committedRows = Locked(0)
            let done = Locked(false)
            let scans = Locked(0)
            let outcome = Locked<(lastRows: Int, failure: String?)?>(nil)

            // A thread of its own, so the scans really overlap the writer whatever the test pool does.
            let thread = Thread {
                let decoder = BlockDecoder()
                var lastRows = 0
                do {
                    while true {
                        let finished = done.withLock { $0 }
                        var rows = 0
                        for block in try reader.blocks() {
                            let batch = try reader.read(block, columns: ColumnSet([.ts, .receivedAt]), decoder: decoder)
                            // markedBatch(m, rows: m % 7 + 1): every row carries the marker m.
                            let marker = batch.ts[0]
                            guard batch.count == block.rows, batch.ts.allSatisfy({ $0 == marker }),
                                  batch.count == Int(marker % 7 + 1) else {
                                throw StorageError.corrupt("block \(block.location) is not whole")
                            }
                            rows += batch.count
                        }
                        let committed = committedRows.withLock { $0 }
                        guard rows <= committed else { throw StorageError.corrupt("saw \(rows) rows, \(committed) committed") }
                        guard rows >= lastRows else { throw StorageError.corrupt("rows went from \(lastRows) to \(rows)") }
                        lastRows = rows
                        scans.withLock { $0 += 1 }
                        if finished { break }
                    }
                    outcome.withLock { $0 = (lastRows, nil) }
                } catch {
                    outcome.withLock { $0 = (lastRows, "\(error)") }
                }
            }
            thread.start()
            while scans.withLock({ $0 }) == 0 && outcome.withLock({ $0 }) == nil { usleep(500) }

            var total = 0
            for marker in Int64(1)...150 {
                let rows = Int(marker % 7 + 1)
                try writer.append(markedBatch(marker, rows: rows))
                total += rows
                if marker % 3 == 0 {
                    // Published before commit starts: rows appended since stay invisible until then.
                    committedRows.withLock { $0 = total }
                    try writer.commit()
                    usleep(200)
                }
            }
            try writer.close()
            done.withLock { $0 = true }
            while outcome.withLock({ $0 }) == nil { usleep(1000) }
            let result = try #require(outcome.withLock { $0 })
            #expect(result.failure == nil)
            #expect(scans.withLock { $0 } > 2)
            #expect(result.lastRows == total)
            #expect(reader.problems.isEmpty)
        }
    }

    @Test func severalThreadsDecodeBlocksInParallel() async throws {
        try await withDataDirectory { dir in
            let writer = try LogWriter(directory: dir)
            for marker in Int64(1)...40 { try writer.append(markedBatch(marker, rows: 50)) }
            try writer.close()
            let reader = try LogReader(directory: dir)
            let blocks = try reader.blocks()
            let sums = try await withThrowingTaskGroup(of: Int64.self) { group in
                for part in 0..<4 {
                    group.addTask {
                        let decoder = BlockDecoder()
                        var sum: Int64 = 0
                        for block in blocks[(part * 10)..<(part * 10 + 10)] {
                            sum += try reader.read(block, columns: ColumnSet(.ts), decoder: decoder).ts.reduce(0, +)
                        }
                        return sum
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(sums == (1...40).reduce(0) { $0 + $1 * 50 })
        }
    }
}
