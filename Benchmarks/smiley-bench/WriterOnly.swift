import Foundation
import SmileyCore
import SmileyStore

/// The writer alone: ready-made rows through `SampleWriter`.
enum WriterOnly {
    static func run(work: String, rows: Int) async throws -> Double {
        let path = work + "/writer.sqlite"
        let pool = try SmileyDatabase.openForWriting(path: path)
        var generator = SampleID.Generator()
        let start0: Int64 = 1_795_341_600_000
        let samples = (0..<rows).map { i in
            NewSample(id: SampleID.make(unixMs: start0 + Int64(i) * 100, using: &generator), terminal: "bench", site: "bench",
                      survey: "default", button: i % 4, scale: 4, buttonName: "happy", recordedAtMs: start0 + Int64(i) * 100,
                      utcOffsetSeconds: 7200, bootID: "replay-0c7b1e0e", monotonicNs: UInt64(i) * 100_000_000,
                      clockSynchronized: true, misuse: nil)
        }
        let writer = SampleWriter(pool: pool, path: path)
        let started = Date()
        let runner = Task { await writer.run() }
        for sample in samples { await writer.submit(.insert(sample)) }
        writer.close()
        await runner.value
        return Date().timeIntervalSince(started)
    }
}
