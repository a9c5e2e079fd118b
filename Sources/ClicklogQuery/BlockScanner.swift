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

    /// The rows of the block inside the time range and of the queried site, ascending.
    func selectRows(_ block: ScanBlock, ts: [Int64], sites: DictionaryStrings?) -> [Int32] {
        var rows: [Int32] = []
        rows.reserveCapacity(block.rows)
        let siteCode = context.site.flatMap { site in sites.map { Self.code(of: site, in: $0.dictionary) ?? UInt32.max } }
        let range = context.range
        let timeCheck = !block.isInside(range)
        let from = range.from ?? Int64.min
        let to = range.to
        ts.withUnsafeBufferPointer { ts in
            for row in 0..<block.rows {
                if timeCheck {
                    let t = ts[row]
                    if t < from { continue }
                    if let to, t >= to { continue }
                }
                if let siteCode, sites!.codes[row] != siteCode { continue }
                rows.append(Int32(row))
            }
        }
        return rows
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
    /// the row's site. Rows with a null or empty key get `Interner.none`.
    mutating func visitors(
        _ block: ScanBlock, keys: DictionaryStrings, sites: DictionaryStrings?, rows: [Int32]
    ) throws -> [UInt32] {
        var out = [UInt32](repeating: Interner.none, count: rows.count)
        let dictionary = keys.dictionary
        let siteCount = sites?.dictionary.count ?? 1
        for siteCode in 0..<siteCount {
            let siteName: String = sites.map { $0.dictionary.string(at: siteCode) ?? "" } ?? block.sites[0]
            let tag = context.sites.intern(siteName)
            wanted.removeAll(keepingCapacity: true)
            wanted.append(contentsOf: repeatElement(false, count: dictionary.count))
            var any = false
            keys.codes.withUnsafeBufferPointer { codes in
                for row in rows where sites == nil || sites!.codes[Int(row)] == UInt32(siteCode) {
                    wanted[Int(codes[Int(row)])] = true
                    any = true
                }
            }
            if !any { continue }
            for i in 0..<dictionary.count where wanted[i] && dictionary.range(of: i).isEmpty { wanted[i] = false }
            try context.visitors.intern(dictionary, tag: tag, wanted: wanted, into: &ids, scratch: &scratch)
            ids.withUnsafeBufferPointer { ids in
                keys.codes.withUnsafeBufferPointer { codes in
                    for (k, row) in rows.enumerated() where sites == nil || sites!.codes[Int(row)] == UInt32(siteCode) {
                        out[k] = ids[Int(codes[Int(row)])]
                    }
                }
            }
        }
        return out
    }

    /// Interns the dictionary entries of a value column (all, or those `wanted`), for dimensions.
    mutating func values(_ dictionary: StringColumn, in interner: Interner, wanted: [Bool]? = nil) throws -> [UInt32] {
        var ids: [UInt32] = []
        try interner.intern(dictionary, tag: 0, wanted: wanted, into: &ids, scratch: &scratch)
        return ids
    }
}
