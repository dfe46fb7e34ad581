import Foundation

/// Helpers shared by the test targets: temporary folders, the built executables, running a process.

public final class TemporaryFolder: Sendable {
    public let path: String

    public init() {
        path = NSTemporaryDirectory() + "smiley-test-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    public func write(_ name: String, _ text: String, mode: Int = 0o644) -> String {
        let target = file(name)
        FileManager.default.createFile(atPath: target, contents: Data(text.utf8))
        chmod(target, mode_t(mode))
        return target
    }
}

/// The built executables, beside the test bundle (or in the package's .build/debug).
public enum Binaries {
    public static func path(_ name: String) -> String {
        let besideRunner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: besideRunner) { return besideRunner }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/\(name)").path
    }

    public static var smileyd: String { path("smileyd") }
    public static var smileyctl: String { path("smileyctl") }
    public static var collector: String { path("smiley-collector") }
}

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to its end. The variables that would change what the programs under test do
/// (`NOTIFY_SOCKET`, `SMILEY_CONFIG`, `SSH_ORIGINAL_COMMAND`) are cleared unless `environment`
/// sets them. Standard error goes through a file, so a chatty program cannot fill a pipe and stall.
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                       stdin: String? = nil, directory: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["NOTIFY_SOCKET"] = nil
    env["SMILEY_CONFIG"] = nil
    env["SSH_ORIGINAL_COMMAND"] = nil
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let errPath = NSTemporaryDirectory() + "smiley-stderr-\(UUID().uuidString)"
    FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    let out = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = errHandle
    process.standardInput = input
    // Told of the end by Foundation's termination handler (its waitUntilExit() polls a run loop).
    let ended = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in ended.signal() }
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    ended.wait()
    try? errHandle.close()
    let errData = FileManager.default.contents(atPath: errPath) ?? Data()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// ``runProcess(_:_:environment:stdin:directory:)`` on a thread of its own, leaving Swift's
/// cooperative threads (two on a two-core machine) free for the test's async work, such as an
/// in-process daemon's writer.
public func runProcessAsync(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                            stdin: String? = nil) async throws -> ProcessResult
{
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            do {
                continuation.resume(returning: try runProcess(executable, arguments, environment: environment, stdin: stdin))
            } catch {
                continuation.resume(throwing: error)
            }
        }.start()
    }
}

/// A value handed from one thread to another: `wait()` blocks until `set(_:)` has been called;
/// `value()` awaits it without holding a thread.
public final class DataBox: Sendable {
    private let data = Observed<Data?>(nil)
    private let condition = NSCondition()

    public init() {}

    public func set(_ value: Data) {
        condition.lock()
        data.set(value)
        condition.broadcast()
        condition.unlock()
    }

    public func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data.value == nil { condition.wait() }
        return data.value ?? Data()
    }

    /// The value once set; nil if it is not set within `bound` (a failure guard).
    @discardableResult
    public func value(upTo bound: Duration = .seconds(60)) async -> Data? {
        await data.wait(upTo: bound) { $0 != nil } ?? nil
    }
}

/// A keyboard terminal whose upstream nobody answers (port 9), written into `folder` as
/// smiley.yaml with its token file beside it; returns the configuration's path.
@discardableResult
public func writeUnreachableUpstreamTerminal(in folder: TemporaryFolder, terminal: String,
                                             token: String = "secret-token", tokenMode: Int = 0o600) -> String {
    folder.write("upstream.token", token + "\n", mode: tokenMode)
    return folder.write("smiley.yaml", keyboardTerminalYAML(terminal: terminal) + """
        upstream:
          url: http://127.0.0.1:9
          token-file: upstream.token

        """)
}

/// The configuration most process tests start from: a keyboard terminal with four buttons in
/// Europe/Helsinki, its database (`smiley.sqlite`) and runtime folder (`run`) beside the file.
/// `sections` (top-level YAML, e.g. `"report:\n  …"`) is appended as it is.
public func keyboardTerminalYAML(terminal: String, site: String = "store-12", survey: String = "checkout",
                                 sections: String = "") -> String {
    """
    terminal: \(terminal)
    site: \(site)
    survey: \(survey)
    timezone: Europe/Helsinki
    database: smiley.sqlite
    runtime-directory: run
    input: keyboard
    buttons:
      - name: very-unhappy
      - name: unhappy
      - name: happy
      - name: very-happy

    """ + sections
}

/// A small tmpfs mounted inside a temporary folder (root only), for full-disk tests: SQLite and
/// the daemon meet a real ENOSPC. Call ``unmount()`` in a `defer` (not left to a deinit: Swift may
/// end an object's lifetime after its last use, while the daemon under test still writes there).
public final class SmallDisk: Sendable {
    public struct MountFailed: Error, CustomStringConvertible {
        public let description: String
    }

    public let path: String
    private var filler: String { path + "/filler" }

    /// Whether this process may mount one (tests that need it are enabled on this).
    public static var canMount: Bool { getuid() == 0 }

    /// Mounts `megabytes` of tmpfs at `name` inside `folder`.
    public init(in folder: TemporaryFolder, name: String = "disk", megabytes: Int) throws {
        path = folder.file(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mounted = try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path])
        guard mounted.status == 0 else { throw MountFailed(description: "mount failed: \(mounted.stderr)") }
    }

    public func unmount() { _ = try? runProcess("/bin/umount", ["-l", path]) }

    public func file(_ name: String) -> String { path + "/" + name }

    /// Fills what is left with a file, 4 KiB at a time, until the file system says it is full.
    public func fill() {
        _ = FileManager.default.createFile(atPath: filler, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: filler) else { return }
        let chunk = Data(repeating: 0x55, count: 4096)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()
    }

    /// Gives the space taken by ``fill()`` back.
    public func free() throws {
        try FileManager.default.removeItem(atPath: filler)
    }
}

extension Process {
    /// Awaits the end of a running process without holding a thread: Foundation's termination
    /// handler says when it has ended. A process still running after `bound` (a failure guard) is
    /// killed (SIGKILL, which the test's assertions on its status then show) and false returned.
    /// The process's own termination handler, if any, is replaced.
    @discardableResult
    public func exited(upTo bound: Duration = .seconds(120)) async -> Bool {
        let ended = Observed(false)
        terminationHandler = { _ in ended.set(true) }
        // Foundation clears isRunning before it reads the handler: one of the two sees the end.
        if !isRunning { ended.set(true) }
        let inTime = await ended.holds(within: bound) { $0 }
        if !inTime {
            kill(processIdentifier, SIGKILL)
            _ = await ended.wait(upTo: .seconds(3600)) { $0 }
        }
        waitUntilExit()
        return inTime
    }
}
