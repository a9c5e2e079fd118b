import ClicklogEvents

/// `--format csv` (RFC 4180): a header of protocol field names, then one row per event; a
/// null is an empty field, integers are plain digits, `props` is the JSON object text that
/// JSONL would hold. Fields with a comma, quote or line break are quoted, quotes doubled.
final class CSVSink: ExportSink {
    private let file: OutputFile
    private let columns: [Column]
    private var scratch: [UInt8] = []

    init(path: String, columns: [Column]) throws {
        file = try OutputFile(path: path)
        self.columns = columns
        file.buffer.append(contentsOf: columns.map(\.name).joined(separator: ",").utf8)
        file.buffer.append(contentsOf: "\r\n".utf8)
    }

    func write(_ batch: EventBatch, rows: [Int]) throws {
        let cells = ExportCell.cells(columns, of: batch)
        for row in rows {
            for (i, cell) in cells.enumerated() {
                if i > 0 { file.buffer.append(UInt8(ascii: ",")) }
                switch cell {
                case .string(let column):
                    if !column.isNull(row) { column.withBytes(at: row) { appendField($0) } }
                case .integer(let column):
                    if !column.isNull(row) { JSONText.appendInteger(column.values[row], to: &file.buffer) }
                case .required(let values):
                    JSONText.appendInteger(values[row], to: &file.buffer)
                case .props:
                    scratch.removeAll(keepingCapacity: true)
                    JSONText.appendProps(of: row, in: batch, to: &scratch)
                    scratch.withUnsafeBytes { appendField($0) }
                }
            }
            file.buffer.append(contentsOf: [0x0D, 0x0A])
            try file.rowDone()
        }
    }

    private func appendField(_ bytes: UnsafeRawBufferPointer) {
        let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return file.buffer.append(contentsOf: bytes) }
        file.buffer.append(UInt8(ascii: "\""))
        for b in bytes {
            if b == UInt8(ascii: "\"") { file.buffer.append(b) }
            file.buffer.append(b)
        }
        file.buffer.append(UInt8(ascii: "\""))
    }

    func finish() throws { try file.finish() }
}
