import Foundation
import SmileyConfig
import SmileyCore
import SmileyStore

/// What every subcommand starts from: the configuration and a read-only view of the database.
struct ControlContext {
    let configuration: Configuration
    let configPath: String
    let environment: [String: String]
    /// Wall time now (ms); tests pin it.
    let nowMs: Int64

    static func load(configOption: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ControlError) -> ControlContext {
        let path = ConfigLoader.resolvePath(option: configOption, environment: environment)
        do {
            let configuration = try ConfigLoader.load(path: path, environment: environment, requireReplayFile: false)
            var now = Int64(Date().timeIntervalSince1970 * 1000)
            // For reproducible reports and tests: SMILEY_NOW=2026-11-22T18:00:00+02:00.
            if let pinned = environment["SMILEY_NOW"], let ms = ISOInstant.parseMs(pinned) { now = ms }
            return ControlContext(configuration: configuration, configPath: path, environment: environment, nowMs: now)
        } catch {
            throw ControlError(error)
        }
    }

    func reader() throws(ControlError) -> StoreReader {
        do {
            return try StoreReader(path: configuration.database)
        } catch {
            throw ControlError(error)
        }
    }

    var zone: TimeZone { configuration.timeZone }
    var today: LocalDay { LocalDay(containing: nowMs, in: zone) }

    /// `today`, `yesterday` or `YYYY-MM-DD`.
    func day(_ text: String) throws(ControlError) -> LocalDay {
        switch text {
        case "today": return today
        case "yesterday": return today.adding(days: -1)
        default:
            guard let day = LocalDay(iso: text) else {
                throw .usage("--day must be today, yesterday or a date as YYYY-MM-DD (got \"\(text.prefix(40))\")")
            }
            return day
        }
    }
}

enum ISOInstant {
    static func parseMs(_ text: String) -> Int64? {
        RFC3339.ms(parsing: text)
    }

    /// Local wall time `HH:mm:ss` of an instant in a zone, with the date when not `on`.
    static func local(_ ms: Int64, zone: TimeZone, withDate: Bool) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = withDate ? "yyyy-MM-dd HH:mm:ss" : "HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// RFC 3339 UTC with milliseconds.
    static func utc(_ ms: Int64) -> String {
        RFC3339.string(ms: ms)
    }
}
