import ClicklogQuery
import Foundation

/// A progress bar on standard error for scans that take more than a second, and only when
/// standard error is a terminal: a thread polls the scan's `ScanProgress` every 100 ms.
final class QueryProgressBar: @unchecked Sendable {
    // @unchecked: `state` is only touched under `lock`; `progress` is itself thread-safe.
    private let progress: ScanProgress
    private let label: String
    private let lock = NSLock()
    private var state = (finished: false, drawn: false)
    private let done = DispatchSemaphore(value: 0)
    private var running = false

    /// The bar appears only for scans still running after this long.
    static let delay: TimeInterval = 1

    init(progress: ScanProgress, label: String) {
        self.progress = progress
        self.label = label
    }

    func start() {
        guard isatty(STDERR_FILENO) != 0 else { return }
        running = true
        Thread.detachNewThread { [self] in
            let started = Date()
            while !isFinished {
                Thread.sleep(forTimeInterval: 0.1)
                if Date().timeIntervalSince(started) >= Self.delay { draw(elapsed: Date().timeIntervalSince(started)) }
            }
            done.signal()
        }
    }

    func stop() {
        guard running else { return }
        lock.withLock { state.finished = true }
        done.wait()
        if lock.withLock({ state.drawn }) { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private var isFinished: Bool { lock.withLock { state.finished } }

    private func draw(elapsed: TimeInterval) {
        let s = progress.snapshot
        guard s.blocks > 0 else { return }
        let width = 30
        let filled = Int(min(1, s.fraction) * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let text = "\r\(label) \(bar) \(Int(s.fraction * 100))%  \(Self.count(s.rowsDone))/\(Self.count(s.rows)) events  \(Int(elapsed)) s"
        lock.withLock {
            guard !state.finished else { return }
            state.drawn = true
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    static func count(_ n: Int) -> String {
        n >= 1_000_000 ? String(format: "%.1fM", Double(n) / 1e6) : n >= 1000 ? String(format: "%.0fk", Double(n) / 1e3) : String(n)
    }
}
