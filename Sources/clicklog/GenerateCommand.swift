import ArgumentParser
import ClicklogGenerator
import Foundation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write deterministic synthetic clickstream traffic for a demo shop as JSON lines.",
        discussion: """
            Visitors of https://shop.example arrive over --days days from --start (UTC) with a \
            daily cycle peaking in the evening, come back a heavy-tailed number of times (some \
            just under, some just over the 30-minute session boundary), and browse: page views \
            over Zipf-popular products, clicks with selectors and coordinates, searches, logins \
            that set user_id, and a checkout funnel (add_to_cart, begin_checkout, purchase). \
            Events are in ts order, all inside the window, and exactly --events of them; the \
            same options give the same bytes on every machine.

            With --batch B, each line is a batch message {"seq":N,"sent_at":MS,"events":[...]} \
            of B events (the last may be shorter), as a client sends them; the events are the \
            same as without --batch.

            The server rejects events more than 24 h in its future: to send the traffic to a \
            live server, pick a --start in the past.

            Examples:
              clicklog generate --events 100000 --seed 1 > demo.jsonl
              clicklog generate --events 10000000 --days 30 --out big.jsonl
              clicklog generate --events 5000 --batch 50 | clicklog import -
            """
    )

    @Option(help: "How many events to write (exactly).")
    var events: Int

    @Option(help: "Seed of the generator: the same seed gives the same bytes.")
    var seed: UInt64 = 1

    @Option(help: "Number of days the traffic spans (1–\(GeneratorOptions.maxDays)).")
    var days = 7

    @Option(help: "First day of the traffic, YYYY-MM-DD (UTC).")
    var start = CalendarDay(GeneratorOptions.defaultStart)

    @Option(help: "Events per batch message (1–\(GeneratorOptions.maxBatchSize)); 0 writes one event per line.")
    var batch = 0

    @Option(help: "File to write (replaced if it exists); standard output when absent or -.")
    var out: String?

    /// Output is handed to the kernel in chunks of this size: large enough that the system calls
    /// cost nothing next to generating, small enough to stream into a pipe.
    static let chunkBytes = 1 << 20

    var generatorOptions: GeneratorOptions {
        GeneratorOptions(events: events, seed: seed, days: days, start: start.epochMillis, batchSize: batch)
    }

    func validate() throws {
        do {
            try generatorOptions.validate()
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        var generator = try TrafficGenerator(generatorOptions)
        let path = out.flatMap { $0 == "-" ? nil : $0 }
        let fd: Int32 = path.map { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) } ?? 1
        guard fd >= 0 else { throw CommandError("cannot create \(path ?? "-"): \(String(cString: strerror(errno)))") }
        defer { if fd != 1 { close(fd) } }
        let started = Date()
        var written = 0
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.chunkBytes + 512 * 1024)
        while generator.nextLine(into: &buffer) {
            if buffer.count >= Self.chunkBytes {
                try Self.writeAll(buffer, to: fd, name: path ?? "standard output")
                written += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try Self.writeAll(buffer, to: fd, name: path ?? "standard output")
        written += buffer.count
        if let path {
            let seconds = Date().timeIntervalSince(started)
            FileHandle.standardError.write(Data("""
                wrote \(generator.eventsWritten) events (\(written) bytes) to \(path) in \
                \(String(format: "%.2f", seconds)) s

                """.utf8))
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, name: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CommandError("cannot write to \(name): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }
}

/// A calendar day given as `YYYY-MM-DD`, meaning its midnight UTC.
struct CalendarDay: ExpressibleByArgument {
    var epochMillis: Int64

    init(_ epochMillis: Int64) {
        self.epochMillis = epochMillis
    }

    init?(argument: String) {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              let ms = GeneratorOptions.startOfDay(year: year, month: month, day: day)
        else { return nil }
        epochMillis = ms
    }

    var defaultValueDescription: String {
        GeneratorOptions.calendarDay(of: epochMillis)
    }
}
