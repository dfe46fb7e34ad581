import Foundation
import GRDB
import SmileyCore
import SmileyStore

/// The generated database: ten years of a busy store, the same every time (a seeded generator).
extension ReportBench {
    static let lastDay = LocalDay(year: 2026, month: 11, day: 30)
    static let names = ["very-unhappy", "unhappy", "happy", "very-happy"]

    static func generate(path: String, samples total: Int, zone: Zone) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm", ".done"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let started = nowNs()
        var configuration = GRDB.Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try SmileyMigrations.migrator.migrate(queue)

        let days = 3652
        let firstDay = lastDay.adding(days: -(days - 1))
        // Presses per hour of the day (08:00–21:00), lunch and after-work peaks.
        let hourWeights: [Double] = [0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 7, 9, 12, 10, 8, 8, 10, 12, 11, 8, 5, 2, 0, 0]
        let weekdayFactor: [Double] = [0.9, 0.85, 0.9, 1.0, 1.15, 1.35, 0.85]  // Monday … Sunday
        var dayWeights: [Double] = []
        for offset in 0..<days {
            let day = firstDay.adding(days: offset)
            let growth = 0.7 + 0.6 * Double(offset) / Double(days)      // the store gets busier over the years
            let season = 1 + 0.25 * cos(Double(day.month - 12) / 12 * 2 * .pi)  // December peak
            dayWeights.append(growth * season * weekdayFactor[day.isoWeekday - 1])
        }
        let weightSum = dayWeights.reduce(0, +)
        var hourCumulative: [Double] = []
        var running = 0.0
        for weight in hourWeights { running += weight; hourCumulative.append(running) }

        var rng = SplitMix64(state: 20261122)
        func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

        var written = 0
        try queue.inTransaction { db in
            let insert = try db.makeStatement(sql: """
                INSERT INTO sample (uuid, terminal, site, survey, button, scale, button_name, recorded_at, utc_offset,
                                    boot_id, monotonic_ns, clock_synchronized, misuse, held_ms, sync_state)
                VALUES (?, 'bench-terminal', 'bench-store', ?, ?, 4, ?, ?, ?, 'bench-boot', ?, 1, ?, ?, ?)
                """)
            var carried = 0.0
            for offset in 0..<days {
                let day = firstDay.adding(days: offset)
                var exact = Double(total) * dayWeights[offset] / weightSum + carried
                if offset == days - 1 { exact = Double(total - written) }
                let count = Int(exact.rounded(.down))
                carried = exact - Double(count)
                let dayStart = day.localStartMs
                var times: [Int64] = []
                times.reserveCapacity(count)
                for _ in 0..<count {
                    let pick = unit() * running
                    let hour = hourCumulative.firstIndex { $0 > pick } ?? 12
                    times.append(dayStart + Int64(hour) * 3_600_000 + Int64(unit() * 3_600_000))
                }
                times.sort()
                var offsetCache: [Int64: Int] = [:]
                for local in times {
                    let hourKey = local / 3_600_000
                    let utcOffset: Int
                    if let cached = offsetCache[hourKey] {
                        utcOffset = cached
                    } else {
                        // The offset in force at this local time (the wall clock that recorded it).
                        let guess = local - 7_200_000
                        let found = zone.secondsFromUTC(atMs: guess)
                        let exact = zone.secondsFromUTC(atMs: local - Int64(found) * 1000)
                        offsetCache[hourKey] = exact
                        utcOffset = exact
                    }
                    let recordedAt = local - Int64(utcOffset) * 1000
                    let hour = Int(local / 3_600_000 % 24)
                    // Busy hours are a little less happy.
                    let busy = hourWeights[hour] / 12
                    let r = unit()
                    let button = r < 0.06 + 0.04 * busy ? 0 : r < 0.14 + 0.06 * busy ? 1 : r < 0.45 ? 2 : 3
                    let m = unit()
                    let misuse: String? = m < 0.03 ? "interval" : m < 0.035 ? "simultaneous" : nil
                    let held: Int64? = unit() < 0.0005 ? 3500 : nil
                    let id = SampleID.make(unixMs: recordedAt, using: &rng)
                    let survey = day.year >= 2024 ? "checkout-experience" : "service"
                    let syncState = offset >= days - 1 ? "pending" : "synced"
                    try insert.execute(arguments: [id, survey, button, names[button], recordedAt, utcOffset,
                                                   Int64(written) * 1_000_000, misuse, held, syncState])
                    written += 1
                }
                if offset % 365 == 364 {
                    FileHandle.standardError.write(Data("  generated \(written) samples (\(offset / 365 + 1) years)\n".utf8))
                }
            }
            return .commit
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try queue.close()
        let seconds = Double(nowNs() - started) / 1e9
        guard FileManager.default.createFile(atPath: path + ".done", contents: Data("\(written)\n".utf8)) else {
            throw BenchError("cannot write the marker \(path).done")
        }
        print("Generated \(written) samples in \(String(format: "%.1f", seconds)) s "
            + "(\(Int(Double(written) / seconds)) rows/s), \(fileSize(path) / 1_048_576) MiB: \(path)")
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
