import Logging
import ServiceLifecycle

/// Waits for the wall clock to become NTP-synchronized, then tells the pipeline (which corrects
/// this boot's earlier samples). Re-checks the kernel every `clockRecheckSeconds` only while the
/// clock is not synchronized; once it is, this service has nothing left to do and idles.
struct ClockWatchService: Service {
    let pipeline: PressPipeline
    let environment: DaemonEnvironment
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                if environment.clockSynchronized() {
                    await pipeline.clockBecameSynchronized()
                } else {
                    logger.warning("wall clock not synchronized yet: presses are marked and corrected once it is")
                    while true {
                        try await Task.sleep(for: .seconds(environment.clockRecheckSeconds))
                        if environment.clockSynchronized() {
                            await pipeline.clockBecameSynchronized()
                            break
                        }
                    }
                }
                // Stay in the group until shutdown without using any CPU.
                try await gracefulShutdown()
            }
        } catch is CancellationError {
            return
        }
    }
}
