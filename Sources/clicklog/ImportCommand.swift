import ArgumentParser
import ClicklogEvents
import ClicklogIngest
import ClicklogStorage
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a JSONL file of events (or batch messages) into the log.",
        discussion: """
            Each line goes through the same parser and writer as the server: rejected events and \
            malformed lines are kept in the data directory's quarantine, and events whose id is \
            already stored (within the deduplication window) are counted as duplicates, so \
            importing the same file twice stores it once. The log is fsync'd every 64 MiB of \
            input and at the end: a power loss can take back up to the last 64 MiB imported, and \
            running the import again skips the events with ids it already stored.

            Examples:
              clicklog generate --events 100000 --seed 1 > demo.jsonl
              clicklog import demo.jsonl --data ./data
              cat more.jsonl | clicklog import - --site shop
            """
    )

    @Argument(help: "The JSONL file, or - for standard input.")
    var file: String

    @OptionGroup var data: DataOptions

    @Option(help: "The site key stamped on every event.")
    var site = "demo"

    @Option(help: "zstd level for the column chunks (1–19).")
    var zstdLevel = 3

    @Option(help: "Hours an event id is remembered for deduplication.")
    var dedupHours = 24

    @Option(help: "Most event ids remembered for deduplication (18–23 bytes each); past it the oldest are forgotten first.")
    var dedupMaxIds = 10_000_000

    func validate() throws {
        guard (1...19).contains(zstdLevel) else { throw ValidationError("--zstd-level must be 1 to 19, got \(zstdLevel)") }
        guard dedupHours >= 0 else { throw ValidationError("--dedup-hours must not be negative") }
        guard dedupMaxIds >= 200_000 else { throw ValidationError("--dedup-max-ids must be at least 200000, got \(dedupMaxIds)") }
        guard !site.isEmpty else { throw ValidationError("--site must not be empty") }
    }

    func run() throws {
        let fd: Int32 = file == "-" ? 0 : open(file, O_RDONLY)
        guard fd >= 0 else { throw CommandError("cannot open \(file): \(String(cString: strerror(errno)))") }
        defer { if fd != 0 { close(fd) } }
        var size = stat()
        let total = fstat(fd, &size) == 0 && (size.st_mode & S_IFMT) == S_IFREG ? Int(size.st_size) : 0

        var options = LogOptions()
        options.compression = .zstd(level: zstdLevel)
        let writer = try LogWriter(directory: data.path, options: options)
        if !writer.recovery.isClean { FileHandle.standardError.write(Data("recovered: \(writer.recovery)\n".utf8)) }
        let quarantine = try Quarantine(directory: data.path)
        var window = DeduplicationWindow(windowMicros: Int64(dedupHours) * 3_600_000_000, maxIDs: dedupMaxIds)
        try window.load(from: LogReader(directory: data.path), now: Clock.microseconds())
        // Room for the file's ids up front (a typical event is 200–400 bytes of JSON), so the
        // window does not rehash millions of ids as it grows; an underestimate only grows it.
        window.reserveCapacity(min(window.count + total / 256, dedupMaxIds))

        var importer = JSONLImporter()
        importer.options.site = site
        let bar = ProgressBar(total: total, label: "importing")
        let started = Date()
        let summary = try importer.run(fd: fd, writer: writer, quarantine: quarantine, deduplication: &window) { bar.update($0) }
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        let rate = seconds > 0 ? Double(summary.accepted + summary.duplicates + summary.rejected) / seconds : 0
        print("""
            \(summary.accepted) accepted, \(summary.rejected) rejected, \(summary.duplicates) duplicates, \
            \(summary.malformed) malformed lines; \(summary.lines) lines, \(summary.blocks) blocks \
            in \(String(format: "%.2f", seconds)) s (\(Int(rate)) events/s)
            """)
        if summary.rejected + summary.malformed > 0 {
            print("rejected events and malformed lines are kept in \(quarantine.path)")
        }
    }
}
