import ClicklogEvents
import ClicklogStorage

extension QueryEngine {
    /// Counts (semantics.md): per block, each row's local bucket and dictionary code index a
    /// small dense table; its non-zero cells are then added to the thread's map under global
    /// `(bucket, key)` ids. Only `ts` and the key column are decoded.
    public func counts(_ query: CountsQuery) throws -> CountsResult {
        let plan = try plan()
        let keys = Interner(budget: plan.budget, what: "distinct \(query.by.rawValue) values")
        let dimension: Dimension = switch query.by {
        case .event: .event
        case .site: .site
        case .path: .path
        }
        let unit: TimeBucketer.Unit = query.interval == .day ? .day : .hour
        let zone = options.zone
        let (_, workers) = try plan.scan.run(skipped: (), makeWorker: {
            (scanner: BlockScanner(context: plan.context), counts: CountsAccumulator(bucketer: TimeBucketer(zone: zone, unit: unit)))
        }) { worker, block in
            let ts = try worker.scanner.reader.read(block, columns: ColumnSet(.ts)).ts
            let sites = try worker.scanner.siteCodes(block)
            let column = try worker.scanner.readDimension(dimension, block: block, sites: sites)
            let rows = worker.scanner.selectRows(block, ts: ts, sites: sites)
            if rows.isEmpty { return }
            switch column {
            case let .constant(value):
                worker.counts.add(block, ts: ts, rows: rows, codes: nil, ids: [keys.intern(value)])
            case let .strings(strings):
                let ids = try worker.scanner.entryValues(dimension, strings, rows: rows, into: keys)
                worker.counts.add(block, ts: ts, rows: rows, codes: strings.codes, ids: ids)
            case .props:
                preconditionFailure("counts never group by a property")
            }
        }
        var total: [BucketKey: Int] = [:]
        for w in workers { total.merge(w.counts.counts, uniquingKeysWith: +) }
        // Keys are ranked once (byte order, no key last), then rows sort on integers.
        var names: [UInt32: String] = [:]
        for key in total.keys where key.key != Interner.none && names[key.key] == nil { names[key.key] = keys.string(key.key) }
        let ranked = names.sorted { byteOrder($0.value, $1.value) }
        var rank: [UInt32: Int] = [Interner.none: ranked.count]
        for (i, entry) in ranked.enumerated() { rank[entry.key] = i }
        let rows = total.map { (bucket: $0.key.bucket, rank: rank[$0.key.key]!, key: names[$0.key.key], events: $0.value) }
            .sorted { ($0.bucket, $0.rank) < ($1.bucket, $1.rank) }
        return CountsResult(
            by: query.by.rawValue,
            rows: rows.map { .init(interval: TimeBucketer.label($0.bucket, unit: unit), key: $0.key, events: $0.events) })
    }
}

/// One thread's counts: per block, a dense table of (bucket − first bucket, dictionary code)
/// filled in one pass over the rows, whose non-zero cells are then added to a map under
/// global `(bucket, key id)`. Buckets of a block span a few hours or days, and codes a few
/// hundred values, so the table stays small; a block whose table would pass `maxCells` (an
/// outlier `ts` far from the rest) counts through the map row by row instead.
struct CountsAccumulator {
    var bucketer: TimeBucketer
    var counts: [BucketKey: Int] = [:]
    private var table: [Int] = []
    static let maxCells = 1 << 20

    init(bucketer: TimeBucketer) { self.bucketer = bucketer }

    /// Counts `rows`: each row's key is `ids[codes[row]]` (`ids[0]` without codes).
    mutating func add(_ block: ScanBlock, ts: [Int64], rows: [Int32], codes: [UInt32]?, ids: [UInt32]) {
        let range = bucketer.bucketRange(block.minTs, block.maxTs)
        let width = ids.count
        let cells = (range.upperBound - range.lowerBound + 1).multipliedReportingOverflow(by: Int64(width))
        let zeros = [UInt32](repeating: 0, count: codes == nil ? block.rows : 0)
        let codes = codes ?? zeros
        if cells.overflow || cells.partialValue > Int64(Self.maxCells) {
            for row in rows {
                let key = BucketKey(bucket: bucketer.bucket(ts[Int(row)]), key: ids[Int(codes[Int(row)])])
                counts[key, default: 0] += 1
            }
            return
        }
        let lo = range.lowerBound
        table.removeAll(keepingCapacity: true)
        table.append(contentsOf: repeatElement(0, count: Int(cells.partialValue)))
        var bucketer = self.bucketer
        table.withUnsafeMutableBufferPointer { table in
            ts.withUnsafeBufferPointer { ts in
                codes.withUnsafeBufferPointer { codes in
                    for row in rows {
                        let r = Int(row)
                        table[Int(bucketer.bucket(ts[r]) &- lo) &* width &+ Int(codes[r])] &+= 1
                    }
                }
            }
        }
        self.bucketer = bucketer
        for (cell, n) in table.enumerated() where n > 0 {
            counts[BucketKey(bucket: lo + Int64(cell / width), key: ids[cell % width]), default: 0] += n
        }
    }
}

/// A cell of a counts query: local bucket number and interned key.
struct BucketKey: Hashable {
    var bucket: Int64
    var key: UInt32
}
