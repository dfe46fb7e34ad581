import ServiceLifecycle

/// Sends WATCHDOG=1 at half the interval systemd asked for (WatchdogSec=).
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    notifier.send("WATCHDOG=1")
                    try await Task.sleep(for: interval / 2)
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
