import ClicklogEvents
import ClicklogStorage
import ClicklogTestSupport
import Foundation
import Logging
import Synchronization
@testable import ClicklogIngest

/// A server on 127.0.0.1 and an ephemeral port, for one test.
struct TestServer {
    let server: IngestServer
    let directory: TemporaryDirectory
    var port: Int { server.localAddress.port! }
    var dataPath: String { directory.appending("data") }

    static let logger: Logger = {
        var logger = Logger(label: "clicklog.test")
        logger.logLevel = .critical
        return logger
    }()

    /// A server over a real data directory.
    static func start(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> TestServer {
        let directory = try TemporaryDirectory("ingest")
        var configuration = TestServer.configuration()
        configuration.dataDirectory = directory.appending("data")
        configure(&configuration)
        let server = try IngestServer.start(configuration: configuration, logger: logger)
        return TestServer(server: server, directory: directory)
    }

    /// A server over a `MemoryStore`, which tests can make fail or hold commits.
    static func start(store: MemoryStore, _ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> TestServer {
        let directory = try TemporaryDirectory("ingest")
        var configuration = TestServer.configuration()
        configuration.dataDirectory = directory.appending("data")
        configure(&configuration)
        let server = try IngestServer.start(configuration: configuration, store: store, deduplication: DeduplicationWindow(), logger: logger)
        return TestServer(server: server, directory: directory)
    }

    static func configuration() -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.eventLoopThreads = 2
        configuration.groupCommit.maxDelay = .milliseconds(2)
        configuration.groupCommit.retryInterval = .milliseconds(50)
        configuration.limits.shutdownTimeout = .seconds(5)
        return configuration
    }

    func stop() {
        server.shutdown()
        directory.remove()
    }
}

/// An `EventStore` in memory. Commits can be held (`hold`) until released, and appends or
/// commits can be made to fail, to test what the server acknowledges when.
final class MemoryStore: EventStore, @unchecked Sendable {
    // @unchecked: every mutable property is behind `state`.
    struct State {
        var appended: [EventBatch] = []
        var committedBatches: [EventBatch] = []
        var quarantined: [QuarantineItem] = []
        var commits = 0
        var failing = false
        var held = false
        var reopens = 0
        var pendingSinceCommit = 0
    }

    let state = Mutex(State())

    var committedEvents: Int { state.withLock { $0.committedBatches.reduce(0) { $0 + $1.count } } }
    var quarantined: [QuarantineItem] { state.withLock { $0.quarantined } }

    func hold() { state.withLock { $0.held = true } }
    func release() { state.withLock { $0.held = false } }
    func fail(_ failing: Bool) { state.withLock { $0.failing = failing } }

    var compression: BlockCompression { .zstd(level: 1) }

    /// Keeps the rows the block holds, decoded: what a reader of the log would get.
    func append(_ block: EncodedBlock) throws {
        try append(unencoded: BlockDecoder().decode(block.bytes))
    }

    func append(unencoded batch: EventBatch) throws {
        try state.withLock { state in
            if state.failing { throw TestError("disk full (simulated)") }
            state.appended.append(batch)
            state.pendingSinceCommit += 1
        }
    }

    func quarantine(_ item: QuarantineItem) throws {
        try state.withLock { state in
            if state.failing { throw TestError("disk full (simulated)") }
            state.quarantined.append(item)
        }
    }

    func commit() throws {
        // Held commits wait here, on the writer thread, as a slow fsync would.
        while state.withLock({ $0.held }) { usleep(1000) }
        try state.withLock { state in
            if state.failing { throw TestError("fsync failed (simulated)") }
            state.committedBatches += state.appended.suffix(state.pendingSinceCommit)
            state.pendingSinceCommit = 0
            state.commits += 1
        }
    }

    var needsReopen: Bool { false }
    func reopen() throws { state.withLock { $0.reopens += 1 } }
    func close() throws {}
}

/// Polls `condition` every few milliseconds until it holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(nanoseconds: 5_000_000)
    }
    return try await condition()
}
