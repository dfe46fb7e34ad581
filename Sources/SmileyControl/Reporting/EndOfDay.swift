import Foundation
import SmileyConfig
import SmileyCore

/// The end-of-day report: which day it covers, writing its files, and pruning old ones.
enum EndOfDay {
    /// The most recent day whose closing time has passed at `nowMs`: today from `closing` on,
    /// else yesterday. A closing time of 00:00 means a day is reported once it has ended.
    static func reportDay(nowMs: Int64, zone: Zone, closing: ClockTime) -> LocalDay {
        let today = LocalDay(containing: nowMs, in: zone)
        let offset = zone.secondsFromUTC(atMs: nowMs)
        let localMs = nowMs + Int64(offset) * 1000
        let minuteOfDay = Int((localMs - CivilCalendar.floorDiv(localMs, CivilCalendar.msPerDay) * CivilCalendar.msPerDay) / 60_000)
        if closing.minutesSinceMidnight > 0, minuteOfDay >= closing.minutesSinceMidnight { return today }
        return today.adding(days: -1)
    }

    static let fileExtensions = ["txt", "json", "html"]

    /// `2026-11-22.txt`, `.json`, `.html`; nil for any other name.
    static func day(ofReportFile name: String) -> LocalDay? {
        guard let dot = name.firstIndex(of: "."), fileExtensions.contains(String(name[name.index(after: dot)...])) else {
            return nil
        }
        return LocalDay(iso: String(name[..<dot]))
    }

    /// Report files of days more than `keepDays` before `today`; other files are never touched.
    static func expired(files: [String], today: LocalDay, keepDays: Int) -> [String] {
        let oldestKept = today.adding(days: -keepDays)
        return files.filter { name in day(ofReportFile: name).map { $0 < oldestKept } ?? false }.sorted()
    }

    /// Writes `text` to `path` through a temporary file and a rename: a reader never sees half a report.
    static func writeAtomically(_ text: String, to path: String) throws(ControlError) {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw ControlError("cannot write \(temporary): \(String(cString: strerror(errno))); check that the "
                + "folder exists and that this user may write to it (report.directory)", exitCode: 73)
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ControlError("cannot move the report into place at \(path): \(reason)", exitCode: 73)
        }
    }
}
