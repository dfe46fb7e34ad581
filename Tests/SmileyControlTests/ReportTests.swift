import CZlib
import Foundation
import SmileyConfig
import SmileyCore
import SmileyStore
import Testing
@testable import SmileyControl

@Suite("The end-of-day report")
struct EndOfDayTests {
    let helsinki = Zone(identifier: "Europe/Helsinki")!

    static func ms(_ iso: String) -> Int64 {
        Int64(ISO8601DateFormatter().date(from: iso)!.timeIntervalSince1970 * 1000)
    }

    @Test("which day: today from closing time on, else yesterday; 00:00 means once the day has ended", arguments: [
        ("2026-11-22T20:59:00+02:00", "21:00", "2026-11-21"),
        ("2026-11-22T21:00:00+02:00", "21:00", "2026-11-22"),
        ("2026-11-22T23:59:00+02:00", "21:00", "2026-11-22"),
        ("2026-11-23T00:05:00+02:00", "21:00", "2026-11-22"),
        ("2026-11-22T23:59:00+02:00", "00:00", "2026-11-21"),
        ("2026-11-23T00:05:00+02:00", "00:00", "2026-11-22"),
        // 21:30 on the day daylight saving ends, a 25-hour day.
        ("2026-10-25T21:30:00+02:00", "21:00", "2026-10-25"),
        // 03:15 does not exist on the spring day; at 04:30 it has passed all the same.
        ("2026-03-29T04:30:00+03:00", "03:15", "2026-03-29"),
        ("2026-03-29T02:59:00+02:00", "03:15", "2026-03-28"),
    ])
    func reportDay(now: String, closing: String, day: String) throws {
        let time = try #require(ClockTime(parsing: closing))
        #expect(EndOfDay.reportDay(nowMs: Self.ms(now), zone: helsinki, closing: time).description == day)
    }

    @Test("pruning takes only report files older than keep-days")
    func expired() {
        let files = ["2026-11-22.txt", "2026-11-22.json", "2026-08-24.html", "2026-08-23.txt", "2026-08-23.json",
                     "2025-01-01.html", "notes.txt", "2026-08-01.txt.tmp", "2026-08-01.csv", "2026-02-30.txt", "..txt"]
        #expect(EndOfDay.expired(files: files, today: LocalDay(year: 2026, month: 11, day: 22), keepDays: 90)
            == ["2025-01-01.html", "2026-08-23.json", "2026-08-23.txt"])
    }

    @Test("--end-of-day writes YYYY-MM-DD.txt, .json and .html, prunes old reports, and leaves a final one alone")
    func writesAndPrunes() async throws {
        let reports = TemporaryFolder()
        let terminal = TestTerminal(report: "  directory: \(reports.path)\n  keep-days: 30\n  closing-time: \"21:00\"\n")
        try await terminal.store(presses("2026-11-22", hour: 12, [1, 2, 3, 14]) + presses("2026-11-21", hour: 12, [5, 0, 0, 0]))
        reports.write("2026-10-01.txt", "old")
        reports.write("2026-10-01.json", "{}")
        reports.write("2026-10-30.txt", "kept")
        reports.write("notes.txt", "not a report")

        let result = try await terminal.run(["report", "--end-of-day"], now: "2026-11-22T21:30:00+02:00")
        #expect(result.status == 0, "\(result.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: reports.path).sorted()
        #expect(names == ["2026-10-30.txt", "2026-11-22.html", "2026-11-22.json", "2026-11-22.txt", "notes.txt"])
        #expect(result.stdout.contains("wrote \(reports.path)/2026-11-22.txt"))
        #expect(result.stdout.contains("removed \(reports.path)/2026-10-01.txt (older than 30 days)"))
        let text = try String(contentsOfFile: reports.file("2026-11-22.txt"), encoding: .utf8)
        #expect(text.hasPrefix("store-12 · all surveys · Sunday 2026-11-22 · Europe/Helsinki"))
        #expect(!text.contains("\u{1B}["))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reports.file("2026-11-22.json")))) as? [String: Any])
        #expect(json["day"] as? String == "2026-11-22")
        #expect(json.int("counted") == 20)
        let html = try String(contentsOfFile: reports.file("2026-11-22.html"), encoding: .utf8)
        #expect(html.contains("<svg id=\"chart-buckets\""))

        // Written before its day ended: written again on the next run.
        let dayEnd = Date(timeIntervalSince1970: Double(Self.ms("2026-11-23T00:00:00+02:00")) / 1000)
        for ext in ["txt", "json", "html"] {
            try FileManager.default.setAttributes([.modificationDate: dayEnd.addingTimeInterval(-3600)],
                                                  ofItemAtPath: reports.file("2026-11-22.\(ext)"))
        }
        let again = try await terminal.run(["report", "--end-of-day"], now: "2026-11-23T00:30:00+02:00")
        #expect(again.stdout.contains("wrote \(reports.path)/2026-11-22.json"), "\(again.stdout)")
        // Written after its day ended: final, left alone.
        for ext in ["txt", "json", "html"] {
            try FileManager.default.setAttributes([.modificationDate: dayEnd.addingTimeInterval(60)],
                                                  ofItemAtPath: reports.file("2026-11-22.\(ext)"))
        }
        let final = try await terminal.run(["report", "--end-of-day"], now: "2026-11-23T01:30:00+02:00")
        #expect(final.stdout.contains("2026-11-22: report is final already"), "\(final.stdout)")
        let modified = try FileManager.default.attributesOfItem(atPath: reports.file("2026-11-22.json"))[.modificationDate] as? Date
        #expect(modified == dayEnd.addingTimeInterval(60))
    }

    @Test("a report folder that cannot be made is status 73 with the path")
    func unwritableFolder() async throws {
        let blocker = TemporaryFolder()
        blocker.write("file", "a file where the folder should be")
        let terminal = TestTerminal(report: "  directory: \(blocker.file("file"))/reports\n")
        try await terminal.store([])
        let result = try await terminal.run(["report", "--end-of-day"])
        #expect(result.status == 73)
        #expect(result.stderr.contains("cannot create the report folder \(blocker.file("file"))/reports"))
    }

    @Test("--end-of-day takes no period or --output")
    func endOfDayUsage() async throws {
        let terminal = TestTerminal()
        try await terminal.store([])
        let withDay = try await terminal.run(["report", "--end-of-day", "--day", "today"])
        #expect(withDay.status == 64 && withDay.stderr.contains("leave out the period options"))
        let withOutput = try await terminal.run(["report", "--end-of-day", "--output", "x.html"])
        #expect(withOutput.status == 64 && withOutput.stderr.contains("leave out --output"))
    }
}

@Suite("The HTML report")
struct HTMLReportTests {
    /// A day whose hours 09–18 all score above 70 (green), and one hour with too few presses (grey).
    static func greenDay() -> [NewSample] {
        var samples: [NewSample] = []
        for hour in 9...18 { samples += presses("2026-11-22", hour: hour, [0, 1, 4, 10]) }
        samples += presses("2026-11-22", hour: 20, [0, 0, 1, 2])
        return samples
    }

    @Test("one self-contained page: inline CSS and SVG, nothing fetched, no script")
    func selfContained() async throws {
        let terminal = TestTerminal()
        try await terminal.store(Self.greenDay())
        let result = try await terminal.run(["report", "--format", "html"])
        #expect(result.status == 0, "\(result.stderr)")
        let html = result.stdout
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<style>"))
        #expect(html.contains("<svg id=\"chart-buttons\"") && html.contains("<svg id=\"chart-buckets\""))
        for forbidden in ["<script", "<link", "src=", "url(", "@import", "<iframe", "<img"] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        // The only URL is the SVG namespace, which is a name, not a fetch.
        let urls = html.components(separatedBy: "http").dropFirst().map { "http" + $0.prefix(30) }
        #expect(urls.allSatisfy { $0.hasPrefix("http://www.w3.org/2000/svg") }, "\(urls)")
        #expect(html.components(separatedBy: "<rect class=\"bar\"").count - 1 == 4 + 24)
        #expect(html.contains("Satisfaction index"))
    }

    @Test("text that came from the configuration is escaped")
    func escaping() {
        #expect(HTMLReport.escape("<b>&\"'") == "&lt;b&gt;&amp;&quot;&#39;")
    }

    @Test("headless Chromium renders it: a non-empty PNG with the charts' colours, and the charts in the DOM")
    func rendersInChromium() async throws {
        let chromium = try #require(Chromium.find(), "chromium is not installed: run `make deps` (apt-get install chromium)")
        let terminal = TestTerminal()
        try await terminal.store(Self.greenDay())
        let page = terminal.folder.file("report.html")
        let result = try await terminal.run(["report", "--format", "html", "--output", page])
        #expect(result.status == 0, "\(result.stderr)")

        let png = terminal.folder.file("report.png")
        let shot = try await Chromium.run(chromium, ["--window-size=1000,1700", "--screenshot=\(png)", "file://\(page)"],
                                          profile: terminal.folder.file("chromium-profile"))
        #expect(shot.status == 0, "\(shot.stderr.suffix(500))")
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(data.count > 20_000)
        let image = try PNGImage(data: data)
        #expect(image.width == 1000 && image.height == 1700)
        // Keep a copy to look at: .build/test-artifacts/report-day.png
        let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/test-artifacts")
        try? FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        try? data.write(to: artifacts.appendingPathComponent("report-day.png"))

        // The hour chart's columns: ten green hours (index 70+), one grey (too few presses);
        // the very-happy button's bar is the same green.
        let green = image.count(red: 0x2e, green: 0x9d, blue: 0x5b)
        let grey = image.count(red: 0xaa, green: 0xb2, blue: 0xbf)
        let red = image.count(red: 0xd6, green: 0x45, blue: 0x45)
        #expect(green > 30_000, "green pixels: \(green)")
        #expect(grey > 300, "grey pixels: \(grey)")
        #expect(red < 150, "no hour and no button is red here, only the legend's swatch: \(red)")

        let dom = try await Chromium.run(chromium, ["--dump-dom", "file://\(page)"], profile: terminal.folder.file("chromium-profile"))
        #expect(dom.status == 0)
        #expect(dom.stdout.contains("<svg id=\"chart-buckets\""))
        #expect(dom.stdout.components(separatedBy: "<rect class=\"bar\"").count - 1 == 4 + 24)
    }
}

/// Debian's chromium, headless.
enum Chromium {
    static func find() -> String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ executable: String, _ arguments: [String], profile: String) async throws -> ProcessResult {
        // As root Chromium needs --no-sandbox; a profile of its own keeps parallel runs apart.
        try await runProcessAsync(executable, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                               "--no-first-run", "--user-data-dir=\(profile)"] + arguments,
                                  environment: ["HOME": profile])
    }
}

/// Just enough of PNG to read Chromium's screenshots: 8-bit RGB or RGBA, not interlaced.
struct PNGImage {
    var width: Int
    var height: Int
    var channels: Int
    var pixels: [UInt8]

    struct Invalid: Error, CustomStringConvertible { var description: String }

    init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Invalid(description: "not a PNG")
        }
        func u32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        var offset = 8
        var width = 0, height = 0, channels = 0
        var compressed: [UInt8] = []
        while offset + 8 <= bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = offset + 8
            guard body + length <= bytes.count else { throw Invalid(description: "truncated \(type)") }
            switch type {
            case "IHDR":
                width = u32(body)
                height = u32(body + 4)
                guard bytes[body + 8] == 8, bytes[body + 12] == 0 else { throw Invalid(description: "not 8-bit, or interlaced") }
                switch bytes[body + 9] {
                case 2: channels = 3
                case 6: channels = 4
                default: throw Invalid(description: "colour type \(bytes[body + 9])")
                }
            case "IDAT":
                compressed += bytes[body..<(body + length)]
            default:
                break
            }
            offset = body + length + 4
        }
        let stride = width * channels
        var raw = [UInt8](repeating: 0, count: (stride + 1) * height)
        var rawLength = uLongf(raw.count)
        let status = compressed.withUnsafeBufferPointer { source in
            raw.withUnsafeMutableBufferPointer { target in
                uncompress(target.baseAddress, &rawLength, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK, Int(rawLength) == raw.count else { throw Invalid(description: "zlib status \(status)") }
        var pixels = [UInt8](repeating: 0, count: stride * height)
        for row in 0..<height {
            let filter = raw[row * (stride + 1)]
            for column in 0..<stride {
                let x = Int(raw[row * (stride + 1) + 1 + column])
                let a = column >= channels ? Int(pixels[row * stride + column - channels]) : 0
                let b = row > 0 ? Int(pixels[(row - 1) * stride + column]) : 0
                let c = row > 0 && column >= channels ? Int(pixels[(row - 1) * stride + column - channels]) : 0
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: throw Invalid(description: "filter \(filter)")
                }
                pixels[row * stride + column] = UInt8((x + predicted) & 0xFF)
            }
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Pixels within 3 of this colour on each channel.
    func count(red: UInt8, green: UInt8, blue: UInt8) -> Int {
        var count = 0
        var index = 0
        while index + 2 < pixels.count {
            if abs(Int(pixels[index]) - Int(red)) <= 3 && abs(Int(pixels[index + 1]) - Int(green)) <= 3
                && abs(Int(pixels[index + 2]) - Int(blue)) <= 3 {
                count += 1
            }
            index += channels
        }
        return count
    }
}
