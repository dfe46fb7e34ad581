import Logging
import ServiceLifecycle
import SmileyCore
import SmileyInput

/// Reads edges from the input source and feeds the pipeline. Returns when the source ends
/// (end of a replayed trace, `q` on the keyboard) or on graceful shutdown — in both cases after
/// settling whatever press was still bouncing, so nothing pressed is lost.
struct PressService: Service, CustomStringConvertible {
    let source: any EdgeSource
    let pipeline: PressPipeline
    let logger: Logger
    /// Set when the source failed (the daemon then exits non-zero).
    let failure: FailureBox

    /// How ServiceLifecycle names the service in its logs. Without it, it would print the struct —
    /// and with it a replayed trace's every edge (100,000 edges: a third of a burst's run time).
    var description: String { "PressService(input: \(source.name))" }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                for try await edge in source.edges() {
                    if let effects = pipeline.decide(edge) { await pipeline.apply(effects) }
                }
            }
        } catch is CancellationError {
            // Graceful shutdown.
        } catch {
            failure.set(error)
            logger.critical("input failed", metadata: ["input": "\(source.name)", "error": "\(error)"])
        }
        await pipeline.finish()
        logger.info("input ended", metadata: ["input": "\(source.name)"])
    }
}
