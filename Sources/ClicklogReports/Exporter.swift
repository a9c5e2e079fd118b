import ClicklogEvents
import ClicklogQuery
import ClicklogStorage

/// Writes the raw events of a range to a JSONL, CSV or SQLite file, block by block.
///
/// Memory stays at about one decoded block plus a 1 MiB output buffer whatever the range:
/// `LogReader.scan` decodes one block at a time and only the columns asked for (plus `ts` and
/// `site` when needed to filter rows, since a block may straddle the range or hold several
/// sites). Events come out in log order. Damaged blocks are skipped and listed in the summary.
public enum Exporter {
    public static func export(from reader: LogReader, to path: String, options: ExportOptions) throws -> ExportSummary {
        let sink: any ExportSink = switch options.format {
        case .jsonl: try JSONLSink(path: path, columns: options.columns)
        case .csv: try CSVSink(path: path, columns: options.columns)
        case .sqlite: try SQLiteSink(path: path, columns: options.columns)
        }
        var decode = ColumnSet(options.columns)
        let filterTime = options.range.from != nil || options.range.to != nil
        if filterTime { decode.insert(ColumnSet(.ts)) }
        let siteBytes = options.site.map { Array($0.utf8) }
        if siteBytes != nil { decode.insert(ColumnSet(.site)) }

        var summary = ExportSummary(events: 0, blocks: 0, problems: [])
        var rows: [Int] = []
        try reader.scan(from: options.range.from, to: options.range.to, site: options.site, columns: decode) { _, batch in
            rows.removeAll(keepingCapacity: true)
            for row in 0..<batch.count {
                if filterTime && !options.range.contains(batch.ts[row]) { continue }
                if let siteBytes, !batch.site.withBytes(at: row, { $0.elementsEqual(siteBytes) }) { continue }
                rows.append(row)
            }
            summary.blocks += 1
            guard !rows.isEmpty else { return }
            try sink.write(batch, rows: rows)
            summary.events += rows.count
        }
        try sink.finish()
        summary.problems = reader.problems.map(\.description)
        return summary
    }
}

/// One output format: gets the selected rows of each decoded block, then `finish()`.
protocol ExportSink: AnyObject {
    func write(_ batch: EventBatch, rows: [Int]) throws
    func finish() throws
}

/// A column of a decoded batch, looked up once per block instead of once per value.
enum ExportCell {
    case string(StringColumn)
    case integer(Int64Column)
    case required([Int64])
    case props

    init(_ column: Column, of batch: EventBatch) {
        switch column {
        case .event: self = .string(batch.event)
        case .ts: self = .required(batch.ts)
        case .anonymousID: self = .string(batch.anonymousID)
        case .id: self = .string(batch.id)
        case .userID: self = .string(batch.userID)
        case .sessionID: self = .string(batch.sessionID)
        case .url: self = .string(batch.url)
        case .referrer: self = .string(batch.referrer)
        case .title: self = .string(batch.title)
        case .selector: self = .string(batch.selector)
        case .text: self = .string(batch.text)
        case .x: self = .integer(batch.x)
        case .y: self = .integer(batch.y)
        case .props: self = .props
        case .receivedAt: self = .required(batch.receivedAt)
        case .site: self = .string(batch.site)
        case .userAgent: self = .string(batch.userAgent)
        case .ip: self = .string(batch.ip)
        case .sentAt: self = .integer(batch.sentAt)
        }
    }

    static func cells(_ columns: [Column], of batch: EventBatch) -> [ExportCell] {
        columns.map { ExportCell($0, of: batch) }
    }
}
