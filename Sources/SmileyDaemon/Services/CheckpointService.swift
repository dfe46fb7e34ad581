import ServiceLifecycle
import SmileyStore

/// Runs the WAL checkpointer (see ``WALCheckpointer``) beside the writer. Listed after the writer,
/// so it stops first; what is still in the WAL then is checkpointed when the database closes.
struct CheckpointService: Service {
    let checkpointer: WALCheckpointer

    func run() async throws {
        await withGracefulShutdownHandler {
            await checkpointer.run()
        } onGracefulShutdown: {
            checkpointer.close()
        }
    }
}
