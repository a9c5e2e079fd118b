import ClicklogEvents
import ClicklogStorage

/// A `ScanSource` over batches held in memory, one block per batch: for tests and fixtures,
/// where the engine must give the same answers as over the log.
public struct MemoryScanSource: ScanSource {
    public let batches: [EventBatch]

    public init(batches: [EventBatch]) {
        self.batches = batches.filter { $0.count > 0 }
    }

    /// Splits `events` (in arrival order) into blocks of `blockRows`.
    public init(events: [Event], blockRows: Int = 1024) {
        var batches: [EventBatch] = []
        var start = 0
        while start < events.count {
            var batch = EventBatch()
            for e in events[start..<min(events.count, start + blockRows)] { batch.append(e) }
            batches.append(batch)
            start += blockRows
        }
        self.init(batches: batches)
    }

    public func blocks(in range: TimeRange, site: String?) throws -> [ScanBlock] {
        var blocks: [ScanBlock] = []
        for (index, batch) in batches.enumerated() {
            let minTs = batch.ts.min()!
            let maxTs = batch.ts.max()!
            var sites: [String] = []
            for row in 0..<batch.count {
                let s = batch.site.string(at: row) ?? ""
                if !sites.contains(s) { sites.append(s) }
            }
            if let from = range.from, maxTs < from { continue }
            if let to = range.to, minTs >= to { continue }
            if let site, !sites.contains(site) { continue }
            blocks.append(ScanBlock(rows: batch.count, minTs: minTs, maxTs: maxTs, sites: sites, handle: index))
        }
        return blocks
    }

    public func makeReader() -> any ScanReader { Reader(batches: batches) }

    public var problems: [String] { [] }

    struct Reader: ScanReader {
        let batches: [EventBatch]

    public func read(_ block: ScanBlock, columns: ColumnSet) throws -> EventBatch {
        let source = batches[block.handle as! Int]
        var batch = EventBatch()
        batch.count = source.count
        if columns.contains(.ts) { batch.ts = source.ts }
        if columns.contains(.props) {
            batch.propEnds = source.propEnds
            batch.propKeys = source.propKeys
            batch.propKinds = source.propKinds
            batch.propValues = source.propValues
        }
        for column in columns.columns where column != .ts && column != .props {
            switch column {
            case .event: batch.event = source.event
            case .anonymousID: batch.anonymousID = source.anonymousID
            case .userID: batch.userID = source.userID
            case .url: batch.url = source.url
            case .referrer: batch.referrer = source.referrer
            case .title: batch.title = source.title
            case .selector: batch.selector = source.selector
            case .site: batch.site = source.site
            default: break
            }
        }
        return batch
    }

    /// Always text: the engine packs canonical UUID text itself, so tests over this source
    /// cover that path and tests over the log the packed one.
    public func readStrings(_ block: ScanBlock, column: Column, packedUUIDs: Bool) throws -> DictionaryStrings {
        let source = batches[block.handle as! Int]
        let strings: StringColumn = switch column {
        case .event: source.event
        case .anonymousID: source.anonymousID
        case .userID: source.userID
        case .url: source.url
        case .referrer: source.referrer
        case .title: source.title
        case .selector: source.selector
        case .site: source.site
        default: preconditionFailure("MemoryScanSource.readStrings: \(column.name) is not supported")
        }
        var dictionary = StringColumn()
        var codes: [UInt32] = []
        var seen: [String: UInt32] = [:]
        var nullCode: UInt32?
        var nullRows: [Int] = []
        for row in 0..<strings.count {
            guard let value = strings.string(at: row) else {
                nullRows.append(row)
                codes.append(0)
                continue
            }
            if let code = seen[value] {
                codes.append(code)
            } else {
                let code = UInt32(dictionary.count)
                seen[value] = code
                dictionary.append(value)
                codes.append(code)
            }
        }
        if !nullRows.isEmpty {
            nullCode = UInt32(dictionary.count)
            dictionary.appendNull()
            for row in nullRows { codes[row] = nullCode! }
        }
        return DictionaryStrings(dictionary: dictionary, codes: codes)
    }
    }
}
