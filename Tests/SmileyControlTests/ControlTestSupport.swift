import Foundation
import SmileyCore
import SmileyStore
import Testing
@_exported import SmileyTestSupport

/// A terminal in a temporary folder: a configuration (Europe/Helsinki, four buttons) and its database.
struct TestTerminal {
    let folder = TemporaryFolder()
    var config: String { folder.file("smiley.yaml") }
    var database: String { folder.file("smiley.sqlite") }

    init(report: String = "") {
        folder.write("smiley.yaml", keyboardTerminalYAML(terminal: "kiosk-1",
                                                         sections: report.isEmpty ? "" : "report:\n" + report + "\n"))
    }

    /// Stores samples with the daemon's own writer (creating the database and its schema).
    func store(_ samples: [NewSample]) async throws {
        let pool = try SmileyDatabase.openForWriting(path: database)
        let writer = SampleWriter(pool: pool, path: database)
        let runner = Task { await writer.run() }
        for sample in samples { await writer.submit(.insert(sample)) }
        await writer.close()
        await runner.value
    }

    /// Runs the built smileyctl with this terminal's configuration and "now" pinned.
    func run(_ arguments: [String], now: String = "2026-11-22T20:00:00+02:00", environment: [String: String] = [:])
        async throws -> ProcessResult
    {
        var env = ["SMILEY_CONFIG": config, "SMILEY_NOW": now, "NO_COLOR": "", "COLUMNS": "100"]
        for (key, value) in environment { env[key] = value }
        return try await runProcessAsync(Binaries.smileyctl, arguments, environment: env)
    }
}

/// A sample pressed at a local wall time (`2026-11-22T09:15:00`) on a clock `offset` seconds from UTC.
func sample(_ local: String, offset: Int = 7200, button: Int = 3, survey: String = "checkout",
            misuse: MisuseReason? = nil, synchronized: Bool = true) -> NewSample {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: local + HourSlot.offsetText(offset)) else {
        preconditionFailure("bad test time \(local)")
    }
    let ms = Int64(date.timeIntervalSince1970 * 1000)
    let names = ["very-unhappy", "unhappy", "happy", "very-happy"]
    return NewSample(id: SampleID.make(unixMs: ms), terminal: "kiosk-1", site: "store-12", survey: survey,
                     button: button, scale: 4, buttonName: names[button], recordedAtMs: ms, utcOffsetSeconds: offset,
                     bootID: "boot-1", monotonicNs: UInt64(ms) * 1_000_000, clockSynchronized: synchronized,
                     misuse: misuse)
}

/// `counts[i]` presses of button i within `hour` of `day` (local, +02:00 unless given), 7 s apart.
func presses(_ day: String, hour: Int, _ counts: [Int], offset: Int = 7200, misuse: MisuseReason? = nil,
             survey: String = "checkout") -> [NewSample] {
    var result: [NewSample] = []
    var second = 0
    for (button, count) in counts.enumerated() {
        for _ in 0..<count {
            result.append(sample(String(format: "%@T%02d:%02d:%02d", day, hour, second / 60, second % 60),
                                 offset: offset, button: button, survey: survey, misuse: misuse))
            second += 7
        }
    }
    return result
}

extension ProcessResult {
    /// stdout parsed as a JSON object.
    func object() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(stdout.prefix(200))")
    }
}

extension Dictionary where Key == String, Value == Any {
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
    func double(_ key: String) -> Double? { (self[key] as? NSNumber)?.doubleValue }
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func array(_ key: String) -> [[String: Any]]? { self[key] as? [[String: Any]] }
    func isNull(_ key: String) -> Bool { self[key] is NSNull }
}
