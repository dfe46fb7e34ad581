import ArgumentParser
import Foundation
import Logging
import SmileyCollector
import SmileyCore

/// `smiley-collector`: the reference receiver of Smiley terminals' batches.
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smiley-collector",
        abstract: "Receive Smiley terminals' samples over HTTP and store them in SQLite.",
        discussion: """
            Implements api/openapi.yaml: POST /v1/batches (idempotent by Idempotency-Key, deduplicated \
            by sample id), POST /v1/heartbeat, GET /v1/summary, GET /v1/terminals, GET /health. \
            Stops cleanly on SIGTERM or SIGINT.

            Exit status: 0 after a clean stop; 64 bad usage; 69 cannot listen; 74 storage error; \
            78 bad configuration or tokens file.
            """)

    @Option(name: .long, help: ArgumentHelp("Configuration file (YAML: host, port, database, tokens-file, max-body-bytes, tls-certificate, tls-key).", valueName: "path"))
    var config: String = "/etc/smiley/collector.yaml"

    @Option(name: .long, help: ArgumentHelp("Listen on this port instead of the configured one (0 = any free port).", valueName: "port"))
    var port: Int?

    @Option(name: .long, help: ArgumentHelp("Least important messages to log: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0...65535") }
        do {
            try await serve(level: level)
        } catch let error as any UserFacingError {
            // The one place smiley-collector reports a failure: a line for a person, a sysexits status.
            Self.fail(error.description, code: error.exitCode)
        }
    }

    /// Configuration, tokens, database, then serving until a signal stops it.
    func serve(level: Logger.Level) async throws {
        var settings = try CollectorConfiguration.load(path: config)
        let tokens = try TokenTable.load(path: settings.tokensFile)
        if let port { settings.port = port }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "smiley-collector")
        let storage: SQLiteCollectorStorage
        do {
            storage = try SQLiteCollectorStorage(path: settings.database)
        } catch {
            throw CollectorStartError("cannot open the database \(settings.database): \(error)", exitCode: 74)
        }
        let api = CollectorAPI(storage: storage, tokens: tokens, maxBodyBytes: settings.maxBodyBytes, logger: logger)
        let running: RunningCollector
        do {
            running = try await RunningCollector.start(api: api, host: settings.host, port: settings.port, tls: settings.tls,
                                                       shutdownSignals: [.sigterm, .sigint])
        } catch {
            throw CollectorStartError("cannot listen on \(settings.host):\(settings.port): \(error)", exitCode: 69)
        }
        logger.notice("smiley-collector listening", metadata: [
            "url": "\(running.baseURL)", "database": "\(settings.database)", "terminals": "\(tokens.count)"])
        // The bound port on stdout, for scripts that asked for port 0.
        FileHandle.standardOutput.write(Data("listening \(running.baseURL)\n".utf8))
        try await running.wait()
        logger.notice("smiley-collector stopped")
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("smiley-collector: error: \(message)\n".utf8))
        Foundation.exit(code)
    }
}

@main
struct CollectorMain {
    static func main() async {
        await CollectorCommand.main()
    }
}
