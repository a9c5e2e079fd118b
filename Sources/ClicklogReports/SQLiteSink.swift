import ClicklogEvents
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--format sqlite`: one `events` table with the chosen columns, typed (`ts INTEGER`, strings
/// `TEXT`, `props` as JSON `TEXT`, usable with SQLite's `->>` operator), filled by one reused
/// prepared statement inside one transaction, then an index on `(anonymous_id, ts)` when both
/// are exported (built after the load, which is faster than maintaining it row by row).
///
/// Written to `PATH.partial` with journaling and syncs off (a crash loses only that file) and
/// renamed over `PATH` when complete.
final class SQLiteSink: ExportSink {
    private let path: String
    private let partialPath: String
    private var database: ReportDatabase?
    /// Finalized before the connection closes (it keeps the connection alive).
    private var insert: ReportStatement?
    private let columns: [Column]
    private var scratch: [UInt8] = []

    init(path: String, columns: [Column]) throws {
        self.path = path
        partialPath = path + ".partial"
        unlink(partialPath)
        self.columns = columns
        let database = try ReportDatabase(path: partialPath)
        try database.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
        let definitions = columns.map { column in
            "\(column.name) \(column.isInteger ? "INTEGER" : "TEXT")\(column == .event || column == .ts ? " NOT NULL" : "")"
        }
        try database.execute("CREATE TABLE events (\(definitions.joined(separator: ", ")))")
        let names = columns.map(\.name).joined(separator: ", ")
        let marks = columns.map { _ in "?" }.joined(separator: ", ")
        insert = try database.prepare("INSERT INTO events (\(names)) VALUES (\(marks))")
        try database.execute("BEGIN")
        self.database = database
    }

    deinit {
        if database != nil {
            insert = nil
            database = nil
            unlink(partialPath)
        }
    }

    func write(_ batch: EventBatch, rows: [Int]) throws {
        guard let insert else { return }
        let cells = ExportCell.cells(columns, of: batch)
        for row in rows {
            for (i, cell) in cells.enumerated() {
                let index = Int32(i + 1)
                switch cell {
                case .string(let column):
                    if column.isNull(row) {
                        insert.bind(index, bytes: nil)
                    } else {
                        column.withBytes(at: row) { insert.bind(index, bytes: $0) }
                    }
                case .integer(let column):
                    insert.bind(index, column[row])
                case .required(let values):
                    insert.bind(index, values[row])
                case .props:
                    scratch.removeAll(keepingCapacity: true)
                    JSONText.appendProps(of: row, in: batch, to: &scratch)
                    scratch.withUnsafeBytes { insert.bind(index, bytes: $0) }
                }
            }
            try insert.run()
        }
    }

    func finish() throws {
        guard let database else { return }
        if columns.contains(.anonymousID) && columns.contains(.ts) {
            try database.execute("CREATE INDEX events_anonymous_id_ts ON events (anonymous_id, ts)")
        }
        try database.execute("COMMIT")
        insert = nil
        self.database = nil  // closes the connection
        guard rename(partialPath, path) == 0 else {
            throw ReportError.io("cannot rename \(partialPath) to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
