import ArgumentParser
import ClicklogStorage

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show segments, blocks, rows, time ranges and what each column costs on disk.",
        discussion: """
            Reads the catalog and each committed block's chunk directory (not the data). Per \
            column: the codecs used, bytes after encoding, bytes stored (after zstd) and stored \
            bytes per event.

            Example:
              clicklog inspect --data ./data
            """
    )

    @OptionGroup var data: DataOptions

    func run() throws {
        let report = try LogInspector.inspect(directory: data.path)
        let sealed = report.segments.filter(\.sealed).count
        print("data: \(data.path)")
        print("segments: \(report.segments.count) (\(sealed) sealed), \(Self.bytes(report.fileBytes))")
        for segment in report.segments {
            let name = segment.file.split(separator: "/").last.map(String.init) ?? segment.file
            print("  \(name)  \(segment.sealed ? "sealed" : "active")  \(Self.bytes(segment.bytes))  "
                + "\(segment.blocks) blocks  \(segment.rows) rows")
        }
        print("blocks: \(report.blocks), rows: \(report.rows), average rows/block: "
            + (report.blocks == 0 ? "0" : "\(report.rows / report.blocks)"))
        if let minTs = report.minTs, let maxTs = report.maxTs {
            print("ts:          \(Self.time(millis: minTs)) … \(Self.time(millis: maxTs))")
        }
        if let minReceived = report.minReceivedAt, let maxReceived = report.maxReceivedAt {
            print("received_at: \(Self.time(millis: minReceived / 1000)) … \(Self.time(millis: maxReceived / 1000))")
        }
        print("bytes/event: \(Self.fixed(report.bytesPerEvent, 2)) (all files)")
        print("")
        let rows = max(report.rows, 1)
        let header = [Self.pad("column", 14), Self.pad("codecs", 28), Self.left("encoded", 12), Self.left("stored", 12),
                      Self.left("bytes/event", 12)]
        print(header.joined(separator: " "))
        for column in report.columns {
            let codecs = column.codecs.sorted { $0.value > $1.value }.map { "\($0.key)×\($0.value)" }.joined(separator: ",")
            print([Self.pad(column.name, 14), Self.pad(codecs, 28), Self.left("\(column.encodedBytes)", 12),
                   Self.left("\(column.storedBytes)", 12),
                   Self.left(Self.fixed(Double(column.storedBytes) / Double(rows), 3), 12)].joined(separator: " "))
        }
        print([Self.pad("(headers)", 14), Self.pad("", 28), Self.left("", 12), Self.left("\(report.overheadBytes)", 12),
               Self.left(Self.fixed(Double(report.overheadBytes) / Double(rows), 3), 12)].joined(separator: " "))
        for problem in report.problems { print("problem: \(problem)") }
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func left(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        let scale = (0..<digits).reduce(1.0) { r, _ in r * 10 }
        let scaled = Int64((value * scale).rounded())
        let whole = scaled / Int64(scale)
        let fraction = String(abs(scaled) % Int64(scale))
        return digits == 0 ? "\(whole)" : "\(whole).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
    }

    static func bytes(_ n: Int) -> String {
        if n < 1 << 10 { return "\(n) B" }
        if n < 1 << 20 { return fixed(Double(n) / 1024, 1) + " KiB" }
        if n < 1 << 30 { return fixed(Double(n) / 1_048_576, 1) + " MiB" }
        return fixed(Double(n) / 1_073_741_824, 2) + " GiB"
    }

    /// RFC 3339 UTC with milliseconds (proleptic Gregorian, days-to-civil by Howard Hinnant's method).
    static func time(millis: Int64) -> String {
        var days = millis / 86_400_000
        var rest = millis % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let ms = rest % 1000
        return "\(year)-\(two(month))-\(two(day))T\(two(rest / 3_600_000)):\(two(rest / 60_000 % 60)):\(two(rest / 1000 % 60))."
            + (ms < 10 ? "00" : ms < 100 ? "0" : "") + "\(ms)Z"
    }
}
