import Foundation
import SmileyCore
import SmileyStore
import Testing

/// A fresh folder per test, removed at the end.
final class TemporaryFolder: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "smiley-control-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let target = file(name)
        FileManager.default.createFile(atPath: target, contents: Data(text.utf8))
        return target
    }
}

/// A terminal in a temporary folder: a configuration (Europe/Helsinki, four buttons) and its database.
struct TestTerminal {
    let folder = TemporaryFolder()
    var config: String { folder.file("smiley.yaml") }
    var database: String { folder.file("smiley.sqlite") }

    init(report: String = "") {
        folder.write("smiley.yaml", """
            terminal: kiosk-1
            site: store-12
            survey: checkout
            timezone: Europe/Helsinki
            database: smiley.sqlite
            runtime-directory: run
            input: keyboard
            buttons:
              - name: very-unhappy
              - name: unhappy
              - name: happy
              - name: very-happy
            \(report.isEmpty ? "" : "report:\n" + report)
            """)
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

/// The built executables, beside the test bundle (or in the package's .build/debug).
enum Binaries {
    static func path(_ name: String) -> String {
        let besideRunner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: besideRunner) { return besideRunner }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/\(name)").path
    }

    static var smileyctl: String { path("smileyctl") }
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout parsed as a JSON object.
    func object() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(stdout.prefix(200))")
    }
}

/// Runs a program to its end on a thread of its own, leaving Swift's cooperative threads (two on
/// this machine) free for the tests' async work, such as the daemon's writer.
func runProcessAsync(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws
    -> ProcessResult
{
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            do {
                continuation.resume(returning: try runProcess(executable, arguments, environment: environment))
            } catch {
                continuation.resume(throwing: error)
            }
        }.start()
    }
}

/// Runs a program to its end.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["SMILEY_CONFIG"] = nil
    env["SSH_ORIGINAL_COMMAND"] = nil
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes at once so that a full stderr pipe cannot stall the child.
    let errBox = DataBox()
    let errReader = Thread { errBox.set(err.fileHandleForReading.readDataToEndOfFile()) }
    errReader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errData = errBox.wait()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

final class DataBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    func set(_ value: Data) {
        condition.lock()
        data = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}

extension Dictionary where Key == String, Value == Any {
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
    func double(_ key: String) -> Double? { (self[key] as? NSNumber)?.doubleValue }
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func array(_ key: String) -> [[String: Any]]? { self[key] as? [[String: Any]] }
    func isNull(_ key: String) -> Bool { self[key] is NSNull }
}
