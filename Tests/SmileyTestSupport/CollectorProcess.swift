import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The built smiley-collector as a child of the test, on one configuration file: started (and
/// started again after a kill) until it says it listens; its output in ``output``.
public final class CollectorProcess {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public let config: String
    /// What the current life writes (standard output and error together).
    public private(set) var output = LineLog()
    private var process: Process?

    public init(config: String) {
        self.config = config
    }

    /// Whether the current life is running.
    public var isRunning: Bool { process?.isRunning ?? false }

    /// The current life's process id (nil when not started); the benchmark reads its /proc entry.
    public var processIdentifier: Int32? { process?.processIdentifier }

    /// Starts a life and returns once it prints `listening …` (its socket is bound then); throws
    /// with its output when it ends first.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.collector)
        process.arguments = ["--config", config, "--log-level", "warning"]
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = nil
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        output = LineLog()
        output.follow(pipe.fileHandleForReading)
        try process.run()
        self.process = process
        // Either it says it listens, or its output ends (it exited; the output says why).
        guard await output.firstIndex(upTo: .seconds(120), where: { $0.hasPrefix("listening ") }) != nil else {
            await stop()
            throw Failure(description: "smiley-collector --config \(config) did not start:\n\(output.tail())")
        }
    }

    /// SIGKILL, and waits for the end.
    public func kill9() async {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
    }

    /// SIGTERM, and waits; the exit status (nil when not started).
    @discardableResult
    public func stop() async -> Int32? {
        guard let process else { return nil }
        if process.isRunning { process.terminate() }
        await process.exited()
        return process.terminationStatus
    }
}
