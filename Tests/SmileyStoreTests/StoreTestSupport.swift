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

/// Collects what the writer reports, for assertions.
final class WriterLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _batches: [[WriteOperation]] = []
    private var _health: [StoreHealth] = []

    var batches: [[WriteOperation]] { lock.withLock { _batches } }
    var health: [StoreHealth] { lock.withLock { _health } }

    func committed(_ batch: [WriteOperation]) { lock.withLock { _batches.append(batch) } }
    func healthChanged(_ health: StoreHealth) { lock.withLock { _health.append(health) } }
}
