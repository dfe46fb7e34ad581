import Foundation
import SmileyConfig
import SmileyCore
import SmileyInput
import SmileyPlatform
import Synchronization

final class TemporaryFolder: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "smiley-daemon-\(UUID().uuidString)"
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

/// A four-button config in `folder`; `press` overrides the press section.
func configText(input: String = "replay", press: String = "", extra: String = "") -> String {
    """
    terminal: test-terminal
    site: test-site
    survey: test-survey
    timezone: Europe/Helsinki
    database: smiley.sqlite
    runtime-directory: run
    input: \(input)
    buttons:
      - name: very-unhappy
        line: GPIO5
      - name: unhappy
        line: GPIO6
      - name: happy
        line: GPIO13
      - name: very-happy
        line: GPIO19
    \(press.isEmpty ? "" : "press:\n" + press)
    \(extra)
    """
}

func loadConfig(_ folder: TemporaryFolder, input: String = "replay", press: String = "") throws -> Configuration {
    let path = folder.write("smiley.yaml", configText(input: input, press: press))
    return try ConfigLoader.load(path: path, environment: [:], requireReplayFile: false)
}

/// The built executables, beside the test bundle (or in the package's .build/debug).
enum Binaries {
    static func path(_ name: String) -> String {
        let besideRunner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: besideRunner) { return besideRunner }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/\(name)").path
    }

    static var smileyd: String { path("smileyd") }
    static var smileyctl: String { path("smileyctl") }
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to its end.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                stdin: String? = nil, directory: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["NOTIFY_SOCKET"] = nil
    env["SMILEY_CONFIG"] = nil
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// A live source that plays scripted edges at real times: each step waits `afterMs`, then emits.
struct ScriptedLiveSource: EdgeSource {
    struct Step: Sendable {
        var afterMs: Int
        var button: Int
        var kind: Edge.Kind
    }

    var name = "scripted"
    var debounced = true
    var timeBase: TimeBase { .live }
    var steps: [Step]
    /// Keep the stream open this long after the last step (so timers can fire).
    var lingerMs: Int = 0

    func edges() -> AsyncThrowingStream<Edge, any Error> {
        let steps = self.steps
        let linger = lingerMs
        return AsyncThrowingStream { continuation in
            let task = Task {
                for step in steps {
                    try? await Task.sleep(for: .milliseconds(step.afterMs))
                    if Task.isCancelled { break }
                    continuation.yield(Edge(button: step.button, kind: step.kind, timestampNs: MonotonicClock.nowNs()))
                }
                try? await Task.sleep(for: .milliseconds(linger))
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A settable flag shared with the daemon's injected environment.
final class Flag: Sendable {
    private let value: Mutex<Bool>
    init(_ initial: Bool) { value = Mutex(initial) }
    var get: Bool { value.withLock { $0 } }
    func set(_ new: Bool) { value.withLock { $0 = new } }
}
