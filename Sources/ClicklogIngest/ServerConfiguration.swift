import ClicklogEvents

/// Everything `clicklog serve` can be told: listen address, TLS, sites, limits, group commit.
///
/// Built from the embedded defaults, then a YAML file (`ServerConfiguration+YAML.swift`,
/// docs/config.md), then command-line flags, each overriding the one before.
public struct ServerConfiguration: Sendable {
    /// The interface to listen on. Loopback by default: exposing the server is a decision.
    public var host = "127.0.0.1"
    public var port = 8080
    /// The data directory (log segments, catalog, quarantine). Set by `--data` only, not by
    /// the file: the directory is a fact of the machine, the file is the policy.
    public var dataDirectory = "./data"
    /// PEM certificate chain and private key: with both, the server speaks TLS (`wss://`, `https://`).
    public var tls: TLSFiles?
    /// Sites allowed to send, by key. The default has only `demo`.
    public var sites: [Site] = [.demo]
    /// How much of the client address is stored.
    public var ipMode = IPMode.anonymized
    /// Proxies whose `X-Forwarded-For` is believed; none by default.
    public var trustedProxies = TrustedProxies()
    /// Serve the demo shop (`Web/demo`) on the other GET paths.
    public var demo = false
    /// Enable `/v1/echo`, a plain WebSocket echo for conformance tests (Autobahn). Never in production.
    public var testEcho = false
    /// Accept WebSocket clients' permessage-deflate offers (RFC 7692): browsers then compress
    /// what they send. On by default; off makes every client send uncompressed frames.
    public var permessageDeflate = true
    public var limits = Limits()
    public var groupCommit = GroupCommitOptions()
    /// How long an event id is remembered for deduplication. 24 h, the spec's default: long
    /// enough for a browser's offline queue to come back the next day.
    public var deduplicationWindow: Duration = .seconds(24 * 3600)
    /// Most event ids remembered, whatever the window: the bound on deduplication's memory
    /// (18–23 bytes per id; `DeduplicationWindow.maxIDs`).
    public var deduplicationMaxIDs = 10_000_000
    /// zstd level of the log's column chunks (1–19). 3: see `LogOptions.compression`.
    public var zstdLevel = 3
    /// Event-loop threads. Zero means one per core: the loops parse, and the writer's two
    /// threads spend most of their time encoding and in fsync, so on two cores the loops and
    /// the writer share them (see docs/architecture.md for the measurements).
    public var eventLoopThreads = 0

    public init() {}

    public struct TLSFiles: Sendable, Equatable {
        public var certificatePath: String
        public var keyPath: String

        public init(certificatePath: String, keyPath: String) {
            self.certificatePath = certificatePath
            self.keyPath = keyPath
        }
    }

    /// The protocol's limits and the server's own. Each one bounds what a client can make the
    /// server hold; hitting one is answered with its close code or status and counted in
    /// `clicklog_limit_hits_total`.
    public struct Limits: Sendable {
        /// Message size, events per message and the per-event limits (spec defaults: 1 MiB,
        /// 1000 events).
        public var events = EventLimits()
        /// Open connections (WebSocket and HTTP together). 10 000: a WebSocket costs 11–19 KiB
        /// here (measured, docs/architecture.md), so the limit caps their memory near 200 MiB;
        /// raising it needs `ulimit -n` raised too.
        public var maxConnections = 10_000
        /// A connection that sends nothing for this long is pinged; if it is still silent after
        /// the same time again it is closed (1001). 60 s: browsers answer pings without page
        /// code, and a dead mobile connection is noticed within two minutes.
        public var idleTimeout: Duration = .seconds(60)
        /// How long a graceful shutdown waits for connections to drain their acks and answer
        /// the close frame before it closes them.
        public var shutdownTimeout: Duration = .seconds(10)
        /// Largest HTTP request headers (all names and values together), bytes; at most 100
        /// header fields. 16 KiB fits any browser with a long cookie header; more is answered
        /// with 400 and the connection closed.
        public var maxHeaderBytes = 16 << 10

        public init() {}
    }

    /// When the writer seals a block and how much it lets queue up behind it.
    public struct GroupCommitOptions: Sendable {
        /// A block is sealed once it holds this many events. 16 384 (~6 MB of JSON): the
        /// block encodes in about 15 ms here, and blocks of this size compress within a few
        /// percent of the 40k-event import chunks (docs/architecture.md).
        public var maxBlockEvents = 16_384
        /// ... or once its first message has waited this long. 10 ms: adds at most 10 ms to
        /// an ack, and at low rates still gathers every message of a burst into one fsync.
        public var maxDelay: Duration = .milliseconds(10)
        /// ... or as soon as the writer is idle, once this many events wait (docs/architecture.md,
        /// "Group commit"). 512: blocks stay large enough to compress, while many small
        /// messages in flight no longer wait out `maxDelay` in front of an idle disk.
        public var minEagerEvents = 512
        /// Threads that deduplicate and encode blocks (`GroupSealer`). 2: encoding is about
        /// half of the server's CPU under load, more than one core can keep up with at the
        /// rates two loops parse; only admitting ids is serial.
        public var encoderThreads = 2
        /// Events queued for the writer (parsed, not yet durable) before the server stops
        /// reading from sockets. 131 072: about eight blocks, ~80 MB of parsed columns.
        public var maxQueuedEvents = 131_072
        /// Message bytes queued for the writer before the server stops reading. 64 MiB.
        public var maxQueuedBytes = 64 << 20
        /// While the disk is full or a write fails, the writer retries this often.
        public var retryInterval: Duration = .seconds(1)

        public init() {}
    }

    public func site(key: String) -> Site? {
        sites.first { $0.key == key }
    }
}

/// A configuration file or flag that cannot be used, with what to fix.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
