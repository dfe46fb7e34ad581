import ServiceLifecycle
import SmileyStore

/// Runs the group-committing writer. Listed first in the group, so it is shut down last: by then
/// the press service has handed over its final presses, and `run` returns once they are committed.
struct StoreWriterService: Service {
    let writer: SampleWriter

    func run() async throws {
        await withGracefulShutdownHandler {
            await writer.run()
        } onGracefulShutdown: {
            writer.close()
        }
    }
}
