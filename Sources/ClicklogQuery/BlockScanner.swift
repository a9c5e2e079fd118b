import ClicklogEvents
import ClicklogStorage

/// What every scan of a query shares: the source, the filters, the interners and the budget.
struct ScanContext: Sendable {
    let source: any ScanSource
    let range: TimeRange
    let site: String?
    let budget: MemoryBudget
    /// Site names, whose ids tag visitors.
    let sites: Interner
    /// `(site, anonymous_id)` or `(site, user_id)` pairs.
    let visitors: Interner

    init(source: any ScanSource, range: TimeRange, site: String?, budget: MemoryBudget) {
        self.source = source
        self.range = range
        self.site = site
        self.budget = budget
        sites = Interner(budget: budget, what: "site names")
        visitors = Interner(budget: budget, what: "visitor ids")
    }
}

/// One thread's reader of blocks: selects the rows a query keeps (time range and site) and maps
/// the per-block dictionary codes of visitors to global ids. Keeps its buffers between blocks.
struct BlockScanner {
    let context: ScanContext
    private var scratch = Interner.Scratch()
    private var ids: [UInt32] = []
    private var wanted: [Bool] = []
    /// `withLocalVisitors`: the kept rows' keys and times, and each key's visitor.
    private var localKeys: [UInt32] = []
    private var localTs: [Int64] = []
    private var localVisitors: [UInt32] = []
    /// `withLocalVisitors` of blocks with several sites: the key of a visitor id, valid where
    /// its stamp is the block's.
    private var keyOfVisitor: [UInt32] = []
    private var keyStamps: [UInt32] = []
    private var stamp: UInt32 = 0

    /// This thread's decoder.
    let reader: any ScanReader

    init(context: ScanContext) {
        self.context = context
        reader = context.source.makeReader()
    }

    /// The block's site column when it has more than one site (nil: every row has `block.sites[0]`).
    func siteCodes(_ block: ScanBlock) throws -> DictionaryStrings? {
        block.sites.count > 1 ? try reader.readStrings(block, column: .site) : nil
    }

    /// Whether every row of the block is inside the time range and of the queried site, so
    /// that `selectRows` would list them all. `sites`: as `siteCodes` gives them.
    func keepsAllRows(_ block: ScanBlock, sites: DictionaryStrings?) -> Bool {
        block.isInside(context.range) && (context.site == nil || sites == nil)
    }

    /// The rows of the block inside the time range and of the queried site, ascending.
    func selectRows(_ block: ScanBlock, ts: [Int64], sites: DictionaryStrings?) -> [Int32] {
        let n = block.rows
        let siteCode = context.site.flatMap { site in sites.map { Self.code(of: site, in: $0.dictionary) ?? UInt32.max } }
        let timeCheck = !block.isInside(context.range)
        let from = context.range.from ?? Int64.min
        let to = context.range.to ?? Int64.max
        if !timeCheck, siteCode == nil { return Array(0..<Int32(n)) }
        return [Int32](unsafeUninitializedCapacity: n) { out, count in
            ts.withUnsafeBufferPointer { ts in
                var k = 0
                if let siteCode, let sites {
                    sites.codes.withUnsafeBufferPointer { codes in
                        for row in 0..<n where codes[row] == siteCode && ts[row] >= from && ts[row] < to {
                            out[k] = Int32(row)
                            k += 1
                        }
                    }
                } else {
                    for row in 0..<n where ts[row] >= from && ts[row] < to {
                        out[k] = Int32(row)
                        k += 1
                    }
                }
                count = k
            }
        }
    }

    /// The code of `value` in a block dictionary, if it occurs.
    static func code(of value: String, in dictionary: StringColumn) -> UInt32? {
        let target = Array(value.utf8)
        for i in 0..<dictionary.count where !dictionary.isNull(i) {
            if dictionary.bytes[dictionary.range(of: i)].elementsEqual(target) { return UInt32(i) }
        }
        return nil
    }

    /// Global visitor ids of `rows`: keys from `keys` (anonymous_id or user_id codes) tagged by
    /// the row's site. Rows with a null or empty key get `Interner.none`. Only the dictionary
    /// entries that `rows` use are interned.
    mutating func visitors(
        _ block: ScanBlock, keys: DictionaryStrings, sites: DictionaryStrings?, rows: [Int32]
    ) throws -> [UInt32] {
        let dictionary = keys.dictionary
        let form: Interner.KeyForm = keys.uuidsPacked ? .packedUUIDs : .uuidText
        guard let sites else {
            let tag = context.sites.intern(block.sites[0])
            try internUsed(dictionary, form: form, codes: keys.codes, rows: rows, site: nil, tag: tag)
            return Self.gather(ids, codes: keys.codes, rows: rows)
        }
        var out = [UInt32](repeating: Interner.none, count: rows.count)
        for siteCode in 0..<sites.dictionary.count where !sites.dictionary.isNull(siteCode) {
            let tag = context.sites.intern(sites.dictionary.string(at: siteCode)!)
            try internUsed(dictionary, form: form, codes: keys.codes, rows: rows, site: (sites.codes, UInt32(siteCode)), tag: tag)
            ids.withUnsafeBufferPointer { ids in
                keys.codes.withUnsafeBufferPointer { codes in
                    sites.codes.withUnsafeBufferPointer { siteCodes in
                        out.withUnsafeMutableBufferPointer { out in
                            for (k, row) in rows.enumerated() where siteCodes[Int(row)] == UInt32(siteCode) {
                                out[k] = ids[Int(codes[Int(row)])]
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Calls `body` with the block's kept rows (in range and site) as block-local visitor keys
    /// and times, in arrival order, and the global visitor id of each key (`Interner.none`:
    /// leave the row out), as `BlockSessionizer` takes them. A block of one site whose rows are
    /// all kept, the usual case, goes as it was decoded: the keys are the dictionary codes and
    /// the ids those of the whole dictionary, with nothing copied per row. Otherwise the kept
    /// rows are gathered into buffers kept from block to block; with several sites in the
    /// block, a key is a (site, id) pair's global id numbered in order of first appearance.
    mutating func withLocalVisitors<R>(
        _ block: ScanBlock, ts: [Int64], keys: DictionaryStrings, sites: DictionaryStrings?,
        _ body: (UnsafeBufferPointer<UInt32>, UnsafeBufferPointer<Int64>, UnsafeBufferPointer<UInt32>) throws -> R
    ) throws -> R {
        let form: Interner.KeyForm = keys.uuidsPacked ? .packedUUIDs : .uuidText
        localKeys.removeAll(keepingCapacity: true)
        localTs.removeAll(keepingCapacity: true)
        if sites == nil {
            let tag = context.sites.intern(block.sites[0])
            if keepsAllRows(block, sites: nil) {
                // Every dictionary entry is some row's value: intern them all.
                try context.visitors.intern(keys.dictionary, tag: tag, skipEmpty: true, keys: form, into: &ids, scratch: &scratch)
                return try keys.codes.withUnsafeBufferPointer { codes in
                    try ts.withUnsafeBufferPointer { ts in
                        try ids.withUnsafeBufferPointer { ids in try body(codes, ts, ids) }
                    }
                }
            }
            let rows = selectRows(block, ts: ts, sites: nil)
            try internUsed(keys.dictionary, form: form, codes: keys.codes, rows: rows, site: nil, tag: tag)
            for row in rows {
                localKeys.append(keys.codes[Int(row)])
                localTs.append(ts[Int(row)])
            }
            return try localKeys.withUnsafeBufferPointer { keys in
                try localTs.withUnsafeBufferPointer { ts in
                    try ids.withUnsafeBufferPointer { ids in try body(keys, ts, ids) }
                }
            }
        }
        let rows = selectRows(block, ts: ts, sites: sites)
        let visitors = try self.visitors(block, keys: keys, sites: sites, rows: rows)
        localVisitors.removeAll(keepingCapacity: true)
        stamp &+= 1
        if stamp == 0 {
            for i in keyStamps.indices { keyStamps[i] = 0 }
            stamp = 1
        }
        if let largest = visitors.lazy.filter({ $0 != Interner.none }).max(), Int(largest) >= keyStamps.count {
            keyStamps.append(contentsOf: repeatElement(0, count: Int(largest) + 1 - keyStamps.count))
            keyOfVisitor.append(contentsOf: repeatElement(0, count: Int(largest) + 1 - keyOfVisitor.count))
        }
        for (j, row) in rows.enumerated() {
            let v = Int(visitors[j])
            if v == Int(Interner.none) { continue }
            if keyStamps[v] != stamp {
                keyStamps[v] = stamp
                keyOfVisitor[v] = UInt32(localVisitors.count)
                localVisitors.append(UInt32(v))
            }
            localKeys.append(keyOfVisitor[v])
            localTs.append(ts[Int(row)])
        }
        return try localKeys.withUnsafeBufferPointer { keys in
            try localTs.withUnsafeBufferPointer { ts in
                try localVisitors.withUnsafeBufferPointer { visitors in try body(keys, ts, visitors) }
            }
        }
    }

    /// Interns into `ids` the entries of `dictionary` used by `rows` (of one site, when given).
    private mutating func internUsed(
        _ dictionary: StringColumn, form: Interner.KeyForm, codes: [UInt32], rows: [Int32], site: ([UInt32], UInt32)?, tag: UInt32
    ) throws {
        wanted.removeAll(keepingCapacity: true)
        wanted.append(contentsOf: repeatElement(false, count: dictionary.count))
        wanted.withUnsafeMutableBufferPointer { wanted in
            codes.withUnsafeBufferPointer { codes in
                if let (siteCodes, siteCode) = site {
                    for row in rows where siteCodes[Int(row)] == siteCode { wanted[Int(codes[Int(row)])] = true }
                } else {
                    for row in rows { wanted[Int(codes[Int(row)])] = true }
                }
            }
        }
        try context.visitors.intern(dictionary, tag: tag, wanted: wanted, skipEmpty: true, keys: form, into: &ids, scratch: &scratch)
    }

    /// `ids[codes[row]]` for each row.
    static func gather(_ ids: [UInt32], codes: [UInt32], rows: [Int32]) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: rows.count) { out, count in
            ids.withUnsafeBufferPointer { ids in
                codes.withUnsafeBufferPointer { codes in
                    rows.withUnsafeBufferPointer { rows in
                        for k in 0..<rows.count { out[k] = ids[Int(codes[Int(rows[k])])] }
                    }
                }
            }
            count = rows.count
        }
    }

    /// `values[row]` for each row.
    static func gather(_ values: [Int64], rows: [Int32]) -> [Int64] {
        [Int64](unsafeUninitializedCapacity: rows.count) { out, count in
            values.withUnsafeBufferPointer { values in
                rows.withUnsafeBufferPointer { rows in
                    for k in 0..<rows.count { out[k] = values[Int(rows[k])] }
                }
            }
            count = rows.count
        }
    }

    /// Interns the dictionary entries of a value column (all, or those `wanted`), for dimensions.
    mutating func values(_ dictionary: StringColumn, in interner: Interner, wanted: [Bool]? = nil) throws -> [UInt32] {
        var ids: [UInt32] = []
        try interner.intern(dictionary, tag: 0, wanted: wanted, into: &ids, scratch: &scratch)
        return ids
    }
}
