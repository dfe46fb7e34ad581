import ArgumentParser
import Foundation
import Logging
import SmileyCollector
import SmileyCore

/// `smiley-collector`: the reference receiver of Smiley terminals' batches. Serving is the default
/// subcommand, so `smiley-collector --config …` serves as it always did.
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smiley-collector",
        abstract: "Receive Smiley terminals' samples over HTTP and store them in SQLite or PostgreSQL.",
        discussion: """
            Implements api/openapi.yaml: POST /v1/batches (idempotent by Idempotency-Key, deduplicated \
            by terminal and sample id), POST /v1/heartbeat, GET /v1/summary, GET /v1/terminals, GET /health. \
            Stops cleanly on SIGTERM or SIGINT.

            Sites and credentials live in the database: `site add`, `site list`, `token add`, `token list`, \
            `token revoke`, `token import` (docs/fleet.md, "Sites and credentials").

            Exit status: 0 after a clean stop; 64 bad usage; 65 bad data (a site, a time zone, opening hours, \
            a credential); 69 cannot listen; 74 storage error; 78 bad configuration or tokens file.
            """,
        subcommands: [Serve.self, Migrate.self, SiteCommand.self, TokenCommand.self],
        defaultSubcommand: Serve.self)
}

/// The options both subcommands read.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file (YAML: host, port, database, database-password-file, database-tls, database-ca-file, tokens-file, max-body-bytes, max-heartbeat-bytes, max-connections, idle-timeout-seconds, max-concurrent-bodies, terminal-heartbeat-seconds, tls-certificate, tls-key).", valueName: "path"))
    var config: String = "/etc/smiley/collector.yaml"

    @Option(name: .long, help: ArgumentHelp("Least important messages to log: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    /// Starts logging to standard error at the chosen level.
    func bootstrapLogging() throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "smiley-collector")
    }

    /// Runs `body`, reporting a failure the one way smiley-collector does: a line for a person, a sysexits status.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as any UserFacingError {
            FileHandle.standardError.write(Data("smiley-collector: error: \(error.description)\n".utf8))
            Foundation.exit(error.exitCode)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the API (the default): migrates a PostgreSQL database first, then listens.")

    @OptionGroup var options: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Listen on this port instead of the configured one (0 = any free port).", valueName: "port"))
    var port: Int?

    func run() async throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0...65535") }
        try await options.reportingFailures { try await serve() }
    }

    /// Configuration, tokens, database, then serving until a signal stops it.
    func serve() async throws {
        var settings = try CollectorConfiguration.load(path: options.config)
        // The legacy tokens file, when configured; otherwise every credential is in the database.
        let tokens = try settings.tokensFile.map { path throws(CollectorConfigError) in try TokenTable.load(path: path) }
            ?? TokenTable(pairs: [])
        if let port { settings.port = port }
        let logger = try options.bootstrapLogging()
        let storage: any CollectorStorage
        var postgresStorage: PostgresCollectorStorage?
        if let postgres = settings.postgres {
            let database = try PostgresCollectorStorage(settings: postgres, logger: logger)
            _ = try await database.migrate()
            storage = database
            postgresStorage = database
        } else {
            do {
                storage = try SQLiteCollectorStorage(path: settings.database)
            } catch {
                throw CollectorStartError("cannot open the database \(settings.database): \(error)", exitCode: 74)
            }
        }
        let api = CollectorAPI(storage: storage, tokens: tokens, maxBodyBytes: settings.maxBodyBytes,
                               limits: settings.limits, logger: logger,
                               terminalHeartbeatSeconds: settings.terminalHeartbeatSeconds)
        let running: RunningCollector
        do {
            running = try await RunningCollector.start(api: api, host: settings.host, port: settings.port, tls: settings.tls,
                                                       services: postgresStorage?.services ?? [], shutdownSignals: [.sigterm, .sigint])
        } catch {
            throw CollectorStartError("cannot listen on \(settings.host):\(settings.port): \(error)", exitCode: 69)
        }
        logger.notice("smiley-collector listening", metadata: [
            "url": "\(running.baseURL)", "database": "\(settings.postgres?.displayURL ?? settings.database)",
            "terminals": "\(tokens.count)"])
        // The bound port on stdout, for scripts that asked for port 0.
        FileHandle.standardOutput.write(Data("listening \(running.baseURL)\n".utf8))
        try await running.wait()
        logger.notice("smiley-collector stopped")
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring the PostgreSQL schema up to date and exit (before rolling out a new collector).",
        discussion: """
            Safe beside running collectors and other migrations: the steps run under an advisory lock, each \
            once. A database migrated by a newer collector is refused (exit 74). A SQLite database is \
            migrated when the collector opens it; there is nothing to do here for one.
            """)

    @OptionGroup var options: CommonOptions

    func run() async throws {
        try await options.reportingFailures {
            let settings = try CollectorConfiguration.load(path: options.config)
            let logger = try options.bootstrapLogging()
            guard let postgres = settings.postgres else {
                throw CollectorConfigError("\(options.config): database: is a SQLite file; migrate is for PostgreSQL (SQLite is migrated when the collector opens it)")
            }
            let applied = try await PostgresCollectorStorage(settings: postgres, logger: logger).migrate()
            let line = applied.isEmpty
                ? "schema of \(postgres.displayURL) is current\n"
                : "migrated \(postgres.displayURL) to schema version \(applied.last ?? 0) (applied \(applied.map(String.init).joined(separator: ", ")))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}

@main
struct CollectorMain {
    static func main() async {
        await CollectorCommand.main()
    }
}
