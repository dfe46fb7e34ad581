import Foundation
import Logging
import ServiceLifecycle
import SmileyConfig
import SmileyCore
import SmileyInput
import SmileyPlatform
import SmileyStore
import SmileySync
import UnixSignals

/// Assembles and runs the daemon: store writer, press pipeline, clock watch, systemd watchdog.
public enum Smileyd {
    public static let version = "0.1.0"

    public struct Options: Sendable {
        /// Signals that start a graceful shutdown (none in tests that run the daemon in-process).
        public var shutdownSignals: [UnixSignal]
        /// Test hook: cap the database size so SQLite reports a full disk.
        public var maxPageCount: Int?
        /// Called with every committed batch (after it is durable), e.g. by the benchmark.
        public var onCommitted: SampleWriter.CommitHandler?
        public var environment: DaemonEnvironment
        /// `ack-line`: pulsed after an accepted press is committed (see ``IndicatorFactory``).
        public var ackLine: (any IndicatorLine)?
        /// `misuse-line`: pulsed after a flagged press is committed.
        public var misuseLine: (any IndicatorLine)?
        /// How long an indicator line stays lit (tests lengthen it to be independent of load).
        public var indicatorPulse: Duration
        /// What the indicator's pulse is timed on.
        public var indicatorClock: any Clock<Duration>
        /// Once started, give back the code pages start-up touched (``StartupPages``): smileyd
        /// sets it; tests running the daemon in-process leave their own process alone.
        public var releaseStartupPages = false

        public init(shutdownSignals: [UnixSignal] = [.sigterm, .sigint], maxPageCount: Int? = nil,
                    onCommitted: SampleWriter.CommitHandler? = nil, environment: DaemonEnvironment = .system,
                    ackLine: (any IndicatorLine)? = nil, misuseLine: (any IndicatorLine)? = nil,
                    indicatorPulse: Duration = .milliseconds(300),
                    indicatorClock: any Clock<Duration> = ContinuousClock()) {
            self.indicatorPulse = indicatorPulse
            self.indicatorClock = indicatorClock
            self.shutdownSignals = shutdownSignals
            self.maxPageCount = maxPageCount
            self.onCommitted = onCommitted
            self.environment = environment
            self.ackLine = ackLine
            self.misuseLine = misuseLine
        }
    }

    /// Runs until the source ends or a shutdown signal arrives; everything pressed is committed
    /// before it returns. Throws a ``StoreError`` when the database cannot be opened, and the
    /// source's error when the input failed.
    public static func run(configuration: Configuration, source: any EdgeSource, logger: Logger,
                           options: Options = Options()) async throws {
        let environment = options.environment
        let pool = try SmileyDatabase.openForWriting(path: configuration.database, maxPageCount: options.maxPageCount)
        // WAL checkpoints beside the writer, not inside the commit of a press.
        let notifier = SystemdNotifier()
        let status = StatusBoard(
            status: DaemonStatus(pid: getpid(), version: version,
                                 startedAtMs: environment.wallNowMs(), input: source.name,
                                 database: configuration.database,
                                 clockSynchronized: environment.clockSynchronized()),
            runtimeDirectory: configuration.runtimeDirectory, notifier: notifier, logger: logger)
        let checkpointer = try WALCheckpointer(path: configuration.database, onFailureChange: { failure in
            if let failure {
                logger.error("WAL checkpoint failing; presses still commit, the log grows until one succeeds",
                             metadata: ["reason": "\(failure)"])
            } else {
                logger.notice("WAL checkpoint succeeds again")
            }
            Task { await status.update(urgent: true) { $0.checkpointFailure = failure } }
        })
        checkpointer.install(on: pool)
        defer { checkpointer.uninstall(from: pool) }

        // Upstream sync, only when configured: refuses to start on a token file open to others.
        var upstream: UpstreamServices?
        if configuration.upstream != nil {
            var live = false
            if case .live = source.timeBase { live = true }
            upstream = try await UpstreamServices.make(configuration: configuration, pool: pool, live: live,
                                                       environment: environment, status: status, logger: logger)
        }

        let external = options.onCommitted
        let indicator = options.ackLine == nil && options.misuseLine == nil
            ? nil : PressIndicator(ack: options.ackLine, misuse: options.misuseLine, logger: logger,
                                   pulse: options.indicatorPulse, clock: options.indicatorClock)
        let writer = SampleWriter(
            pool: pool, path: configuration.database,
            onCommitted: { [upstream] batch, duration in
                external?(batch, duration)
                Self.acknowledge(batch, logger: logger, status: status)
                if let indicator {
                    Self.indicate(batch, indicator: indicator)
                }
                upstream?.committed(batch)
            },
            onHealthChange: { [upstream] health in
                upstream?.storeHealthChanged(failing: health.failure != nil)
                if let failure = health.failure {
                    logger.error("store failing", metadata: ["reason": "\(failure)", "retries": "\(health.retries)"])
                } else {
                    logger.notice("store recovered: commits succeed again", metadata: ["retries": "\(health.retries)"])
                }
                Task {
                    await status.update(urgent: true) {
                        $0.storeFailure = health.failure
                        $0.storeFailingSinceMs = health.failingSinceMs
                        $0.storePending = health.pending
                    }
                }
            })
        let pipeline = PressPipeline(configuration: configuration, source: source, writer: writer,
                                     environment: environment, status: status, logger: logger)
        let failure = FailureBox()

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: StoreWriterService(writer: writer)),
            .init(service: CheckpointService(checkpointer: checkpointer)),
        ]
        if let indicator {
            // After the writer: shut down before it (services stop in reverse order).
            services.append(.init(service: PressIndicatorService(indicator: indicator)))
        }
        // After the writer, so they stop before it on shutdown.
        services.append(contentsOf: upstream?.services ?? [])
        if case .live = source.timeBase {
            services.append(.init(service: ClockWatchService(pipeline: pipeline, environment: environment, logger: logger)))
        }
        if let notifier, let interval = SystemdNotifier.watchdogInterval() {
            services.append(.init(service: WatchdogService(notifier: notifier, interval: interval)))
        }
        services.append(.init(service: PressService(source: source, pipeline: pipeline, logger: logger, failure: failure),
                              successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))

        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        groupConfiguration.gracefulShutdownSignals = options.shutdownSignals
        let group = ServiceGroup(configuration: groupConfiguration)

        logger.info("smileyd started", metadata: [
            "version": "\(version)", "terminal": "\(configuration.terminal)", "input": "\(source.name)",
            "database": "\(configuration.database)", "buttons": "\(configuration.buttons.map(\.name).joined(separator: ","))",
        ])
        await status.publishNow()
        notifier?.send("READY=1")
        if options.releaseStartupPages {
            // Once, when the services have had a moment to start (requests made, loops running).
            Task.detached(priority: .background) {
                try? await Task.sleep(for: .seconds(2))
                let released = StartupPages.release()
                logger.debug("start-up code pages released", metadata: [
                    "mappings": "\(released.mappings)", "bytes": "\(released.bytes)",
                ])
            }
        }
        try await group.run()
        notifier?.send("STOPPING=1")
        await status.remove()
        logger.info("smileyd stopped; every press is committed")
        if let error = failure.error { throw error }
    }

    /// After a commit is durable: light the LED for accepted (and the misuse line for flagged) presses.
    private static func indicate(_ batch: [WriteOperation], indicator: PressIndicator) {
        var accepted = 0
        var flagged = 0
        for case .insert(let sample) in batch {
            if sample.misuse == nil { accepted += 1 } else { flagged += 1 }
        }
        guard accepted + flagged > 0 else { return }
        Task { await indicator.committed(accepted: accepted, flagged: flagged) }
    }

    /// After a commit is durable: one log line per press, and the status.
    private static func acknowledge(_ batch: [WriteOperation], logger: Logger, status: StatusBoard) {
        var last: NewSample?
        var count = 0
        // The batch's lines leave in one write (see LogOutput), after the commit like each line.
        LogOutput.standardError.collecting {
            for operation in batch {
                guard case .insert(let sample) = operation else { continue }
                count += 1
                last = sample
                logger.info("press \(sample.buttonName) \(sample.misuse.map { "flagged \($0.rawValue)" } ?? "accepted")", metadata: [
                    "button": "\(sample.button)", "id": "\(sample.id)",
                    "clock": "\(sample.clockSynchronized ? "synchronized" : "unsynchronized")",
                ])
            }
        }
        guard let last else { return }
        let committed = count
        Task {
            await status.update {
                $0.committedPresses += committed
                $0.lastPress = .init(id: last.id.uuidString, button: last.buttonName,
                                     recordedAtMs: last.recordedAtMs, misuse: last.misuse?.rawValue)
            }
        }
    }
}
