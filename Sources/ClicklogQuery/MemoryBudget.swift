import Foundation

/// The memory a query may hold, from `--memory-limit`: the engine reserves the bytes of every
/// large structure it builds (the scanned columns it keeps, the sort buffers, the interned
/// strings) before building it, and a reservation past the limit fails with a `QueryError` that
/// says how much the whole query would need. Transient per-block decode buffers are counted as a
/// fixed allowance per thread (`perThreadBytes`).
///
/// The default limit is half the machine's memory: enough for a billion-event sessions query on
/// a large machine, and a clear refusal instead of the OOM killer on a small one.
public final class MemoryBudget: @unchecked Sendable {
    public static let defaultLimit = Int(ProcessInfo.processInfo.physicalMemory / 2)
    public static let acceptedForms = "a size such as 512MiB, 4GiB, 2GB or 1000000 (bytes)"

    public let limit: Int
    private let lock = QueryLock()
    private var used = 0
    private var peak = 0
    /// Scales a failed reservation to the whole query: (rows to scan) / (rows scanned so far).
    private var projection: Double = 1

    public init(limit: Int = MemoryBudget.defaultLimit) {
        self.limit = limit
    }

    /// Bytes reserved now, and the most ever reserved at once.
    public var usage: (current: Int, peak: Int) { lock.withLock { (used, peak) } }

    /// Sets how much of the scan is done, so that a failure can project the total need.
    func setProgress(scannedRows: Int, totalRows: Int) {
        lock.withLock { projection = scannedRows > 0 ? max(1, Double(totalRows) / Double(scannedRows)) : 1 }
    }

    /// Takes `bytes` from the budget, or throws when that would pass the limit; `what` says
    /// what the memory is for, in the error.
    func reserve(_ bytes: Int, what: String) throws {
        try lock.withLock {
            guard used + bytes <= limit else {
                let needed = Int(Double(used + bytes) * projection)
                throw QueryError.memoryLimit(needed: needed, limit: limit, what: what)
            }
            used += bytes
            peak = max(peak, used)
        }
    }

    func release(_ bytes: Int) {
        lock.withLock { used -= bytes }
    }

    /// Parses `512MiB`, `4GiB`, `2GB`, `1.5G`, `100000`; binary and decimal units, case-insensitive.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number > 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let scale: Double
        switch unit {
        case "", "b": scale = 1
        case "k", "kb": scale = 1e3
        case "kib": scale = 1024
        case "m", "mb": scale = 1e6
        case "mib": scale = 1024 * 1024
        case "g", "gb": scale = 1e9
        case "gib": scale = 1024 * 1024 * 1024
        case "t", "tb": scale = 1e12
        case "tib": scale = 1024 * 1024 * 1024 * 1024
        default: return nil
        }
        let bytes = number * scale
        return bytes < Double(Int.max) ? Int(bytes) : nil
    }

    /// `1.5 GiB`, `640 MiB`, `12 KiB`, `100 B`.
    public static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + units[unit]
    }
}
