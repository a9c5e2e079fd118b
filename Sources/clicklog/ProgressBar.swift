import Foundation

/// A one-line progress bar on standard error, drawn only when standard error is a terminal
/// and the work is big enough to wait for; silent otherwise, so scripts and cron stay clean.
final class ProgressBar: @unchecked Sendable {
    // @unchecked: `update` and `finish` are called from one thread at a time (the importer's
    // writer queue, then the caller after it finished); the lock covers the rest.
    private let total: Int
    private let label: String
    private let enabled: Bool
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(total: Int, label: String) {
        self.total = total
        self.label = label
        enabled = isatty(2) != 0 && total > 32 << 20
    }

    func update(_ done: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        drawn = true
        let fraction = min(1, Double(done) / Double(max(total, 1)))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) \(bar) \(Int(fraction * 100))%".utf8))
    }

    func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
