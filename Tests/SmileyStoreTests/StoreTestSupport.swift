import Foundation
import SmileyCore
@_exported import SmileyTestSupport
@testable import SmileyStore

func makeSample(button: Int = 2, at ms: Int64 = 1_795_341_600_000, boot: String = "boot-a", monotonicNs: UInt64 = 1_000_000_000,
                synchronized: Bool = true, misuse: MisuseReason? = nil) -> NewSample {
    NewSample(id: SampleID.make(unixMs: ms), terminal: "t1", site: "s1", survey: "q1", button: button, scale: 4,
              buttonName: ["very-unhappy", "unhappy", "happy", "very-happy"][button], recordedAtMs: ms,
              utcOffsetSeconds: 7200, bootID: boot, monotonicNs: monotonicNs, clockSynchronized: synchronized, misuse: misuse)
}

/// Collects what the writer reports, for assertions and for a test to await.
final class WriterLog: Sendable {
    private let state = Observed((batches: [[WriteOperation]](), health: [StoreHealth]()))

    var batches: [[WriteOperation]] { state.value.batches }
    var health: [StoreHealth] { state.value.health }

    func committed(_ batch: [WriteOperation]) { state.update { $0.batches.append(batch) } }
    func healthChanged(_ health: StoreHealth) { state.update { $0.health.append(health) } }

    /// Awaits a reported health that satisfies `predicate`; false if none comes within `bound`.
    func waitForHealth(upTo bound: Duration = .seconds(60), _ predicate: @escaping @Sendable (StoreHealth) -> Bool) async -> Bool {
        await state.holds(within: bound) { $0.health.contains(where: predicate) }
    }

    /// Awaits `count` committed operations; false if they are not in within `bound`.
    func waitForCommitted(_ count: Int, upTo bound: Duration = .seconds(60)) async -> Bool {
        await state.holds(within: bound) { $0.batches.reduce(0) { $0 + $1.count } >= count }
    }
}
