import Logging
import ServiceLifecycle

/// Serves the control socket while the daemon runs.
public struct ControlSocketService: Service {
    let server: ControlServer
    let logger: Logger

    public init(server: ControlServer, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await server.run()
            }
        } catch is CancellationError {
            return
        } catch {
            // The daemon keeps recording presses (a service that returns would stop the group):
            // stay until shutdown; `smileyctl sync` then says the daemon does not answer.
            logger.error("the control socket failed; smileyctl sync cannot reach the daemon",
                         metadata: ["path": "\(server.path)", "error": "\(error)"])
            try? await gracefulShutdown()
        }
    }
}
