import Dispatch

/// Runs a per-block function over the blocks of a scan on `threads` threads, and returns the
/// results in block order (so arrival order survives), with each thread's own state.
///
/// Threads take the next block from a shared cursor, one lock per block; a thread's `Worker`
/// holds its scratch buffers and partial aggregates, so the per-block function allocates only
/// its result. The first error stops the other threads at their next block and is rethrown.
struct ParallelScan {
    let blocks: [ScanBlock]
    let threads: Int
    let progress: ScanProgress?
    let budget: MemoryBudget

    init(blocks: [ScanBlock], threads: Int, progress: ScanProgress?, budget: MemoryBudget) {
        self.blocks = blocks
        self.threads = max(1, min(threads, blocks.count))
        self.progress = progress
        self.budget = budget
    }

    var totalRows: Int { blocks.reduce(0) { $0 + $1.rows } }

    /// `skipped` stands for a block whose reader threw `SkippedBlock` (the source lists it in
    /// its problems); bodies must read every column before they touch the worker's aggregates,
    /// so that a skipped block leaves no partial trace.
    func run<Worker, Result>(
        skipped: Result,
        makeWorker: () -> Worker,
        _ body: (inout Worker, ScanBlock) throws -> Result
    ) throws -> (results: [Result], workers: [Worker]) {
        var results: [Result] = []
        results.reserveCapacity(blocks.count)
        let workers = try run(skipped: skipped, makeWorker: makeWorker, body) { results.append($0) }
        return (results, workers)
    }

    /// As `run`, and hands each block's result to `consume` in block order while the scan
    /// goes on, instead of returning them: the thread that stores the result `consume` waits
    /// for runs it, and the results after it that are ready, one thread at a time, while the
    /// other threads keep decoding. A result is dropped once consumed, so only the results of
    /// blocks finished ahead of the consumer are held at once. An error thrown by `consume`
    /// stops the scan as one thrown by `body` does.
    ///
    /// For aggregates that must see blocks in arrival order (the sessions join): the ordered
    /// work overlaps the decoding instead of following it.
    func run<Worker, Result>(
        skipped: Result,
        makeWorker: () -> Worker,
        _ body: (inout Worker, ScanBlock) throws -> Result,
        inOrder consume: (Result) throws -> Void
    ) throws -> [Worker] {
        let state = State<Worker, Result>(blocks: blocks.count, workers: (0..<threads).map { _ in makeWorker() })
        let total = totalRows
        progress?.start(blocks: blocks.count, rows: total)
        withoutActuallyEscaping(body) { body in
            withoutActuallyEscaping(consume) { consume in
                let shared = UncheckedBox((body, consume))
                let skipped = UncheckedBox(skipped)
                DispatchQueue.concurrentPerform(iterations: threads) { thread in
                    var worker = state.takeWorker(thread)
                    defer { state.putWorker(worker, thread) }
                    while let index = state.next() {
                        do {
                            let result: Result
                            do {
                                result = try shared.value.0(&worker, blocks[index])
                            } catch is SkippedBlock {
                                result = skipped.value
                            }
                            let (scanned, first) = state.storeForConsumer(result, at: index, rows: blocks[index].rows)
                            progress?.finished(rows: blocks[index].rows)
                            budget.setProgress(scannedRows: scanned, totalRows: total)
                            var ready = first
                            while let r = ready {
                                try shared.value.1(r)
                                ready = state.nextForConsumer()
                            }
                        } catch {
                            state.fail(error)
                            return
                        }
                    }
                }
            }
        }
        if let error = state.error { throw error }
        return state.workers.map { $0! }
    }

    private final class State<Worker, Result>: @unchecked Sendable {
        let lock = QueryLock()
        var cursor = 0
        var scannedRows = 0
        var results: [Result?]
        var workers: [Worker?]
        var error: (any Error)?
        /// In-order consumption: the next block to consume, and whether a thread is consuming.
        var nextToConsume = 0
        var consuming = false

        init(blocks: Int, workers: [Worker]) {
            results = Array(repeating: nil, count: blocks)
            self.workers = workers
        }

        func next() -> Int? {
            lock.withLock {
                guard error == nil, cursor < results.count else { return nil }
                defer { cursor += 1 }
                return cursor
            }
        }

        /// Stores a result; if no thread is consuming and the next result to consume is
        /// ready, the caller becomes the consumer and gets it.
        func storeForConsumer(_ result: Result, at index: Int, rows: Int) -> (scanned: Int, consume: Result?) {
            lock.withLock {
                results[index] = result
                scannedRows += rows
                guard !consuming else { return (scannedRows, nil) }
                let ready = takeNext()
                consuming = ready != nil
                return (scannedRows, ready)
            }
        }

        /// The consumer's next result, or nil (and the consumer role given up) when it is not
        /// ready yet or a thread failed.
        func nextForConsumer() -> Result? {
            lock.withLock {
                let ready = error == nil ? takeNext() : nil
                consuming = ready != nil
                return ready
            }
        }

        private func takeNext() -> Result? {
            guard nextToConsume < results.count, let ready = results[nextToConsume] else { return nil }
            results[nextToConsume] = nil
            nextToConsume += 1
            return ready
        }

        func fail(_ error: any Error) {
            lock.withLock { if self.error == nil { self.error = error } }
        }

        func takeWorker(_ thread: Int) -> Worker {
            lock.withLock {
                defer { workers[thread] = nil }
                return workers[thread]!
            }
        }

        func putWorker(_ worker: Worker, _ thread: Int) {
            lock.withLock { workers[thread] = worker }
        }
    }
}

/// Runs `body(thread)` on `threads` threads at once and waits for all of them; for the phases
/// after the scan (scatter, per-visitor walks) that split their work by hand.
func parallelFor(threads: Int, _ body: (Int) -> Void) {
    if threads <= 1 { return body(0) }
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: threads) { shared.value($0) }
    }
}

/// Hands a non-Sendable value to the threads of `concurrentPerform`, which all finish before
/// the caller continues; the value's users guard any shared mutation themselves.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
