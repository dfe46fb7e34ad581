import Foundation
import SmileyConfig
import SmileyCore
import SmileyStore
import SmileyPlatform

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
            var now = WallClock.nowMs()
            // For reproducible reports and tests: SMILEY_NOW=2026-11-22T18:00:00+02:00.
            if let pinned = environment["SMILEY_NOW"], let ms = RFC3339.ms(parsing: pinned) { now = ms }
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

    var zone: Zone { configuration.zone }
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
