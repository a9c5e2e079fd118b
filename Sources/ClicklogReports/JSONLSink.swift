import ClicklogEvents

/// `--format jsonl`: one object per event with the protocol's field names; null fields are
/// left out, `ts`, `received_at` and `sent_at` are integers (epoch ms, µs, ms), and `props` is
/// a flat object keyed by the stored dotted keys (see `JSONText.appendProps`). Each line is a
/// valid protocol event, so `clicklog import` reads an export back (server fields become props).
final class JSONLSink: ExportSink {
    private let file: OutputFile
    private let columns: [Column]
    /// `"name":` per column, built once.
    private let keys: [[UInt8]]

    init(path: String, columns: [Column]) throws {
        file = try OutputFile(path: path)
        self.columns = columns
        keys = columns.map { Array("\"\($0.name)\":".utf8) }
    }

    func write(_ batch: EventBatch, rows: [Int]) throws {
        let cells = ExportCell.cells(columns, of: batch)
        for row in rows {
            file.buffer.append(UInt8(ascii: "{"))
            var first = true
            for (i, cell) in cells.enumerated() {
                switch cell {
                case .string(let column):
                    if column.isNull(row) { continue }
                    if !first { file.buffer.append(UInt8(ascii: ",")) }
                    file.buffer.append(contentsOf: keys[i])
                    column.withBytes(at: row) { JSONText.appendString($0, to: &file.buffer) }
                case .integer(let column):
                    if column.isNull(row) { continue }
                    if !first { file.buffer.append(UInt8(ascii: ",")) }
                    file.buffer.append(contentsOf: keys[i])
                    JSONText.appendInteger(column.values[row], to: &file.buffer)
                case .required(let values):
                    if !first { file.buffer.append(UInt8(ascii: ",")) }
                    file.buffer.append(contentsOf: keys[i])
                    JSONText.appendInteger(values[row], to: &file.buffer)
                case .props:
                    if batch.propRange(of: row).isEmpty { continue }
                    if !first { file.buffer.append(UInt8(ascii: ",")) }
                    file.buffer.append(contentsOf: keys[i])
                    JSONText.appendProps(of: row, in: batch, to: &file.buffer)
                }
                first = false
            }
            file.buffer.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
            try file.rowDone()
        }
    }

    func finish() throws { try file.finish() }
}
