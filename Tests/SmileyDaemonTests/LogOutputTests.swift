import Foundation
import Logging
import Testing
@testable import SmileyDaemon
#if canImport(Glibc)
import Glibc
#endif

@Suite("Log output")
struct LogOutputTests {
    /// A pipe whose read end does not block.
    final class Pipe2 {
        let read: Int32
        let write: Int32
        init() throws {
            var fds: [Int32] = [0, 0]
            try #require(pipe(&fds) == 0)
            read = fds[0]
            write = fds[1]
            _ = fcntl(read, F_SETFL, fcntl(read, F_GETFL) | O_NONBLOCK)
        }
        deinit { close(read); close(write) }
        func drain() -> String {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                bytes += buffer[0..<n]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    @Test("a line is written at once; inside collecting, lines wait and leave together, in order")
    func collecting() throws {
        let pipe = try Pipe2()
        let output = LogOutput(fileDescriptor: pipe.write)
        output.write("one\n")
        #expect(pipe.drain() == "one\n")
        output.collecting {
            output.write("two\n")
            output.collecting { output.write("three\n") }
            // Nested: still held until the outermost call returns.
            #expect(pipe.drain() == "")
            output.write("four\n")
        }
        #expect(pipe.drain() == "two\nthree\nfour\n")
        output.write("five\n")
        #expect(pipe.drain() == "five\n")
    }

    @Test("a line holds the level, the label, the message and sorted metadata, quoted where it has spaces")
    func lineFormat() throws {
        let lines = LockedLines()
        var handler = DaemonLogHandler(label: "smileyd", level: .info, journal: false) { lines.append($0) }
        handler.metadata = ["z": "last"]
        handler.log(event: LogEvent(level: .info, message: "press happy accepted",
                                    metadata: ["button": "2", "note": "two words", "empty": ""],
                                    source: "t", file: #file, function: #function, line: #line))
        let journal = DaemonLogHandler(label: "smileyd", level: .info, journal: true) { lines.append($0) }
        journal.log(event: LogEvent(level: .warning, message: "held", metadata: nil,
                                    source: "t", file: #file, function: #function, line: #line))
        let all = lines.all
        #expect(all.count == 2)
        let first = all.first ?? ""
        // 2026-11-22T08:16:50.292Z info smileyd: …
        #expect(first.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z info smileyd: "#, options: .regularExpression) != nil, "\(first)")
        // And it is now, in UTC, to the millisecond's digits.
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let stamped = try #require(parser.date(from: String(first.prefix(24))), "\(first)")
        #expect(abs(stamped.timeIntervalSinceNow) < 60, "\(first)")
        #expect(first.hasSuffix(#"press happy accepted button=2 empty="" note="two words" z=last"# + "\n"), "\(first)")
        #expect(all.last == "<4>held\n")
    }

    final class LockedLines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }
}
