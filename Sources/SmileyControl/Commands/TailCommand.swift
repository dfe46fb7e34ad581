import ArgumentParser
import Foundation
import SmileyCore
import SmileyPlatform
import SmileyStore
#if canImport(Glibc)
import Glibc
#endif

/// `smileyctl tail`: new presses as they happen, one line each, until Ctrl-C.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow new presses live, one line each, until Ctrl-C.",
        discussion: """
            Shows the last presses, then waits. The kernel (inotify) wakes smileyctl when smileyd \
            writes the database's log; each look is a short read-only transaction by row id, so \
            tail never locks the database or holds the daemon up. Where inotify is unavailable it \
            looks every second instead.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: [.customShort("n"), .long], help: ArgumentHelp("How many earlier presses to show first (0–1000).", valueName: "count"))
    var lines = 10

    @Option(name: .long, help: ArgumentHelp("Only presses of this survey (default: every survey).", valueName: "name"))
    var survey: String?

    @Option(name: .long, help: "text for people, or json: one object per line (the fields of export --format json).")
    var format: TailFormat = .text

    func validate() throws {
        guard (0...1000).contains(lines) else {
            throw ValidationError("--lines must be between 0 and 1000; got \(lines)")
        }
    }

    func run() throws {
        try reportingErrors { () throws(ControlError) in
            let context = try ControlContext.load(configOption: global.config)
            let reader = try context.reader()
            var follower = TailFollower(reader: reader, survey: survey, format: format, terminal: .standardOutput(),
                                        nameWidth: context.configuration.buttons.map(\.name.count).max() ?? 8,
                                        output: { (text) throws(ControlError) in try StandardOutput.write(text) })
            // Over SSH without a terminal nothing signals the end of the session but the closed pipe.
            follower.hangupFD = STDOUT_FILENO
            try follower.run(initialLines: lines, stop: { false })
        }
    }
}

enum TailFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// The loop behind `tail`.
struct TailFollower: Sendable {
    let reader: StoreReader
    let survey: String?
    let format: TailFormat
    let terminal: Terminal
    let nameWidth: Int
    let output: @Sendable (String) throws(ControlError) -> Void
    /// False: look every `pollingIntervalMs` instead of waiting for inotify (where it is missing).
    var useInotify = true
    /// How long to keep looking after a change: a commit becomes visible only once its fsync ends.
    var settleMs: Int64 = 2000
    /// With inotify, a look this often anyway (a safety net); without it, this is the polling interval.
    var safetyIntervalMs: Int32 = 30_000
    var pollingIntervalMs: Int32 = 1000
    /// Stop when whoever reads this descriptor is gone (standard output: the SSH session ended).
    var hangupFD: Int32? = nil

    func run(initialLines: Int, stop: () -> Bool) throws(ControlError) {
        var lastRowID: Int64
        do {
            let recent = try reader.lastSamples(initialLines)
            lastRowID = try max(reader.maxRowID(), recent.last?.rowID ?? 0)
            try emit(recent)
        } catch let error as StoreError {
            throw ControlError(error)
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError("tail failed: \(error)", exitCode: 74)
        }

        let url = URL(fileURLWithPath: reader.path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let watcher = useInotify ? try? DirectoryWatcher(directory: directory, names: [name, name + "-wal"]) : nil
        if watcher == nil, useInotify {
            StandardOutput.error("smileyctl: inotify is not available here; looking for new presses every second\n")
        }
        var settleUntil: Int64 = 0
        while !stop() {
            let now = WallClock.nowMs()
            let timeout: Int32 = watcher == nil ? pollingIntervalMs
                : now < settleUntil ? 100 : safetyIntervalMs
            do {
                if let watcher {
                    switch try watcher.wait(timeoutMs: timeout, hangupFD: hangupFD) {
                    case .changed: settleUntil = WallClock.nowMs() + settleMs
                    case .timeout: break
                    case .hangup: return
                    }
                } else if let hangupFD {
                    if readerGone(fd: hangupFD, timeoutMs: timeout) { return }
                } else {
                    usleep(UInt32(timeout) * 1000)
                }
                while true {
                    let new = try reader.samples(afterRowID: lastRowID, limit: 1000)
                    guard let last = new.last else { break }
                    lastRowID = last.rowID
                    try emit(new)
                }
            } catch let error as StoreError {
                throw ControlError(error)
            } catch let error as ControlError {
                throw error
            } catch {
                throw ControlError("tail failed: \(error)", exitCode: 74)
            }
        }
    }

    private func emit(_ samples: [StoredSample]) throws(ControlError) {
        var text = ""
        for sample in samples where survey == nil || sample.survey == survey {
            switch format {
            case .text: text += SampleFormatting.tailLine(sample, nameWidth: nameWidth, terminal: terminal)
            case .json: text += SampleFormatting.json(sample).rendered()
            }
            text += "\n"
        }
        if !text.isEmpty { try output(text) }
    }
}
