import ArgumentParser
import ClicklogIngest
import Dispatch
import Foundation
import Logging

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive events over WebSocket and HTTP and store them in the log.",
        discussion: """
            Endpoints: GET /v1/ws?site=KEY (WebSocket, subprotocol clicklog.v1, permessage-deflate), POST \
            /v1/events?site=KEY (sendBeacon and fetch), GET /c.js, GET /healthz, GET /metrics; \
            with --demo also the demo shop on /. Every message is acknowledged once its events \
            are on disk (fsync), in message order.

            Settings come from the built-in defaults (site demo for http://localhost:* and \
            http://127.0.0.1:*, 127.0.0.1:8080, ./data), then --config FILE (docs/config.md), \
            then these flags. SIGTERM or SIGINT shuts down gracefully: no new connections, acks \
            for everything received, close 1001.

            Examples:
              clicklog serve --demo                      # then open http://localhost:8080/
              clicklog serve --config /etc/clicklog.yaml --data /var/lib/clicklog
              clicklog serve --tls-cert cert.pem --tls-key key.pem --port 8443
            """
    )

    @OptionGroup var data: DataOptions

    @Option(help: "The interface to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "The port to listen on (default 8080; 0 picks a free one).")
    var port: Int?

    @Option(help: ArgumentHelp("The YAML configuration file: sites, origins, limits (docs/config.md).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("PEM certificate chain: serve wss:// and https:// (with --tls-key).", valueName: "pem"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "pem"))
    var tlsKey: String?

    @Flag(help: "Serve the demo shop on / (pages of Web/demo).")
    var demo = false

    @Option(help: "How much of the client IP is stored: full, anonymized (IPv4 /24, IPv6 /48), none.")
    var ipMode: IPMode?

    @Flag(help: "Enable /v1/echo, a WebSocket echo for conformance tests (Autobahn). Not for production.")
    var testEcho = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535, got \(port)") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if let host, host.isEmpty { throw ValidationError("--host must not be empty") }
    }

    func run() throws {
        var configuration: ServerConfiguration
        do {
            configuration = try config.map { path throws(ConfigurationError) in try ServerConfiguration.load(path: path) } ?? ServerConfiguration()
        } catch {
            throw CommandError(error.description)
        }
        configuration.dataDirectory = data.path
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let tlsCert, let tlsKey { configuration.tls = .init(certificatePath: tlsCert, keyPath: tlsKey) }
        if demo { configuration.demo = true }
        if let ipMode { configuration.ipMode = ipMode }
        if testEcho { configuration.testEcho = true }

        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "clicklog.serve")

        // Handle the signals on a queue instead of dying by them.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let stop = DispatchSemaphore(value: 0)
        let signalQueue = DispatchQueue(label: "clicklog.signals")
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
            source.setEventHandler {
                logger.info("received signal", metadata: ["signal": "\(number == SIGTERM ? "SIGTERM" : "SIGINT")"])
                stop.signal()
            }
            source.resume()
            return source
        }

        let server = try IngestServer.start(configuration: configuration, logger: logger)
        let scheme = configuration.tls == nil ? "http" : "https"
        if let port = server.localAddress.port {
            let shown = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
            // Unbuffered, so a supervisor or a test reading the pipe sees it at once.
            FileHandle.standardOutput.write(Data("clicklog serving on \(scheme)://\(shown):\(port) (data: \(configuration.dataDirectory))\n".utf8))
        }
        stop.wait()
        let report = server.shutdown()
        withExtendedLifetime(sources) {}
        if report.unstoredEvents > 0 {
            throw CommandError("\(report.unstoredEvents) received events could not be stored before shutdown (not acknowledged; clients resend them)")
        }
    }
}

extension IPMode: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
