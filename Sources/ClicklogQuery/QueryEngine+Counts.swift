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
            (scanner: BlockScanner(context: plan.context), counts: [BucketKey: Int](), bucketer: TimeBucketer(zone: zone, unit: unit),
             buckets: [Int64](), table: [Int]())
        }) { worker, block in
            let ts = try worker.scanner.reader.read(block, columns: ColumnSet(.ts)).ts
            let sites = try worker.scanner.siteCodes(block)
            let column = try worker.scanner.readDimension(dimension, block: block, sites: sites)
            let rows = worker.scanner.selectRows(block, ts: ts, sites: sites)
            if rows.isEmpty { return }

            // Entry ids and per-row codes: one entry for a constant site.
            let ids: [UInt32]
            var codes: [UInt32]? = nil
            switch column {
            case let .constant(value):
                ids = [keys.intern(value)]
            case let .strings(strings):
                ids = try worker.scanner.entryValues(dimension, strings, rows: rows, into: keys)
                codes = strings.codes
            case .props:
                preconditionFailure("counts never group by a property")
            }
            worker.buckets.removeAll(keepingCapacity: true)
            var lo = Int64.max
            var hi = Int64.min
            for row in rows {
                let b = worker.bucketer.bucket(ts[Int(row)])
                worker.buckets.append(b)
                lo = min(lo, b)
                hi = max(hi, b)
            }
            let width = ids.count
            let cells = (hi - lo + 1) * Int64(width)
            if cells <= 1 << 20 {
                worker.table.removeAll(keepingCapacity: true)
                worker.table.append(contentsOf: repeatElement(0, count: Int(cells)))
                for (k, row) in rows.enumerated() {
                    let code = codes.map { Int($0[Int(row)]) } ?? 0
                    worker.table[Int(worker.buckets[k] - lo) * width + code] += 1
                }
                for (cell, n) in worker.table.enumerated() where n > 0 {
                    worker.counts[BucketKey(bucket: lo + Int64(cell / width), key: ids[cell % width]), default: 0] += n
                }
            } else {
                for (k, row) in rows.enumerated() {
                    let code = codes.map { Int($0[Int(row)]) } ?? 0
                    worker.counts[BucketKey(bucket: worker.buckets[k], key: ids[code]), default: 0] += 1
                }
            }
        }
        var total: [BucketKey: Int] = [:]
        for w in workers { total.merge(w.counts, uniquingKeysWith: +) }
        var rows = total.map { (bucket: $0.key.bucket, key: $0.key.key == Interner.none ? nil : keys.string($0.key.key), events: $0.value) }
        rows.sort { a, b in
            if a.bucket != b.bucket { return a.bucket < b.bucket }
            switch (a.key, b.key) {
            case let (x?, y?): return byteOrder(x, y)
            case (_?, nil): return true
            default: return false
            }
        }
        return CountsResult(
            by: query.by.rawValue,
            rows: rows.map { .init(interval: TimeBucketer.label($0.bucket, unit: unit), key: $0.key, events: $0.events) })
    }
}

/// A cell of a counts query: local bucket number and interned key.
struct BucketKey: Hashable {
    var bucket: Int64
    var key: UInt32
}
