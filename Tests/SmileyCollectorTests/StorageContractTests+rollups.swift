import Foundation
import SmileyCore
import SmileyTestSupport
import SmileyWire
import Testing
@testable import SmileyCollector

/// The rollups under the storage contract: the same bodies on SQLite and PostgreSQL.
extension StorageContractTests {
    /// 2026-11-16T00:00:00Z, a Monday.
    static let mondayMs: Int64 = 1_794_787_200_000

    static func sample(_ ms: Int64, offset: Int, survey: String = "q", button: Int, name: String? = nil,
                       misuse: MisuseReason? = nil, id: UUID = UUID()) -> WireSample {
        WireSample(id: id, survey: survey, button: button, buttonName: name ?? "b\(button)", scale: 4, recordedAtMs: ms,
                   utcOffsetSeconds: offset, clockSynchronized: true, misuse: misuse)
    }

    /// Stores `samples` as one batch of `terminal` at `site`; what the storage answered.
    @discardableResult
    static func store(_ storage: any CollectorStorage, _ terminal: String, site: String, _ samples: [WireSample],
                      id: UUID = UUID()) async throws -> SubmitOutcome {
        let batch = WireBatch(terminal: terminal, site: site, id: id, samples: samples)
        return try await storage.submit(batch, terminal: terminal, key: batch.key, fingerprint: Data(batch.key.utf8),
                                        receivedAtMs: ContractAPI.nowMs)
    }

    static func day(_ text: String) throws -> LocalDay { try #require(LocalDay(iso: text)) }

    /// What one sample adds, worked out with Foundation's calendar (not the collector's formula).
    struct Cell: Hashable {
        var site: String
        var terminal: String
        var day: String
        var weekday: Int
        var hour: Int
        var survey: String
        var button: Int
        var misuse: MisuseReason?

        init(site: String, terminal: String, sample: WireSample) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(secondsFromGMT: sample.utcOffsetSeconds)!
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .weekday],
                                                from: Date(timeIntervalSince1970: Double(sample.recordedAtMs) / 1000))
            self.site = site
            self.terminal = terminal
            day = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            weekday = (parts.weekday! + 5) % 7 + 1
            hour = parts.hour!
            survey = sample.survey
            button = sample.button
            misuse = sample.misuse
        }
    }

    @Test("rollups equal a recount after random batches with duplicates, replays, misuse, offsets from −09:30 to +14:00 and a terminal offline for a week",
          arguments: StorageBackend.allCases)
    func rollupsEqualRecount(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let storage = harness.storage
            var random = SplitMix64(seed: 0x5EED_0010)
            let terminals: [(name: String, site: String, offset: Int)] = [
                ("t1", "s1", 50_400), ("t2", "s1", -34_200), ("t3", "s2", 7_200), ("t4", "s2", 3_600),
            ]
            var expected: [Cell: Int] = [:]
            var sent: [String: [WireSample]] = [:]
            var batches: [(terminal: String, site: String, id: UUID, samples: [WireSample])] = []
            func fresh(_ terminal: (name: String, site: String, offset: Int), at ms: Int64) -> WireSample {
                let button = Int.random(in: 0...3, using: &random)
                let misuse: MisuseReason? = switch Int.random(in: 0..<10, using: &random) {
                case 0: .interval
                case 1: .simultaneous
                default: nil
                }
                return Self.sample(ms, offset: terminal.offset, survey: Int.random(in: 0..<4, using: &random) == 0 ? "r" : "q",
                                   button: button, name: Bool.random(using: &random) ? "b\(button)" : "B\(button)", misuse: misuse)
            }
            // Three terminals send as they go over a week; t4 (offline) keeps its week and sends it at the end.
            var offline: [WireSample] = []
            for step in 0..<60 {
                let ms = Self.mondayMs + Int64(step) * 10_080_000 + Int64.random(in: 0..<10_080_000, using: &random)
                offline.append(fresh(terminals[3], at: ms))
                offline.append(fresh(terminals[3], at: ms + 1_000))
                if step == 30, let borrowed = sent["t1"]?.first {
                    // t2 re-using one of t1's ids: its own sample, counted for it.
                    var copy = fresh(terminals[1], at: ms)
                    copy.id = borrowed.id
                    try await Self.store(storage, "t2", site: "s1", [copy])
                    expected[Cell(site: "s1", terminal: "t2", sample: copy), default: 0] += 1
                    sent["t2", default: []].append(copy)
                }
                let terminal = terminals[Int.random(in: 0..<3, using: &random)]
                let choice = Int.random(in: 0..<10, using: &random)
                if choice == 0, let old = batches.last(where: { $0.terminal == terminal.name }) {
                    // A replay of a whole batch under its own key: the stored answer, nothing counted.
                    let outcome = try await Self.store(storage, old.terminal, site: old.site, old.samples, id: old.id)
                    guard case .replayed = outcome else { Issue.record("not replayed: \(outcome)"); return }
                    continue
                }
                var samples = (0..<Int.random(in: 1...12, using: &random)).map { index in
                    fresh(terminal, at: ms + Int64(index) * 7_000)
                }
                for sample in samples { expected[Cell(site: terminal.site, terminal: terminal.name, sample: sample), default: 0] += 1 }
                if choice <= 3, let old = sent[terminal.name], !old.isEmpty {
                    // Samples sent before, again under a new key: duplicates, counted once.
                    samples += (0..<3).map { _ in old[Int.random(in: 0..<old.count, using: &random)] }
                }
                let id = UUID()
                try await Self.store(storage, terminal.name, site: terminal.site, samples, id: id)
                batches.append((terminal.name, terminal.site, id, samples))
                sent[terminal.name, default: []] += samples
            }
            for sample in offline { expected[Cell(site: "s2", terminal: "t4", sample: sample), default: 0] += 1 }
            try await Self.store(storage, "t4", site: "s2", Array(offline.prefix(70)))
            try await Self.store(storage, "t4", site: "s2", Array(offline.dropFirst(50)))

            #expect(try await storage.rollupMismatches() == [])
            let total = expected.values.reduce(0, +)
            #expect(try await harness.samples().count == total)

            let days = Set(expected.keys.map(\.day)).sorted()
            let everything = try RollupFilter(sites: nil, from: Self.day(days[0]), to: Self.day(days[days.count - 1]))
            let summary = try await storage.rangeSummary(everything, includeMisuse: true, minSamples: 1)
            #expect(summary.surveys.map(\.survey) == ["q", "r"])
            for figures in summary.surveys {
                let cells = expected.filter { $0.key.survey == figures.survey }
                #expect(figures.buttons.map(\.count) == (0..<4).map { button in
                    cells.filter { $0.key.button == button }.values.reduce(0, +)
                })
                #expect(figures.accepted == cells.filter { $0.key.misuse == nil }.values.reduce(0, +))
                #expect(figures.misuse == Dictionary(uniqueKeysWithValues: MisuseReason.allCases.map { reason in
                    (reason.rawValue, cells.filter { $0.key.misuse == reason }.values.reduce(0, +))
                }))
            }
            #expect(summary.surveys.map(\.counted).reduce(0, +) == total)

            // Hours of one site, accepted samples only.
            let s1 = try RollupFilter(sites: ["s1"], from: everything.from, to: everything.to)
            let hours = try await storage.buckets(s1, weekdays: false, includeMisuse: false, minSamples: 1)
            #expect(hours.count == 2 * 24)
            for bucket in hours {
                #expect(bucket.weekday == nil)
                #expect(bucket.figures.counted == expected.filter {
                    $0.key.site == "s1" && $0.key.survey == bucket.figures.survey && $0.key.hour == bucket.hour && $0.key.misuse == nil
                }.values.reduce(0, +), "hour \(bucket.hour) \(bucket.figures.survey)")
            }
            // Weekday × hour of the fleet, flagged samples included.
            let pattern = try await storage.buckets(everything, weekdays: true, includeMisuse: true, minSamples: 1)
            #expect(pattern.count == 2 * 7 * 24)
            for bucket in pattern {
                #expect(bucket.figures.counted == expected.filter {
                    $0.key.survey == bucket.figures.survey && $0.key.weekday == bucket.weekday && $0.key.hour == bucket.hour
                }.values.reduce(0, +), "weekday \(bucket.weekday ?? 0) hour \(bucket.hour) \(bucket.figures.survey)")
            }
            // Each site's day as GET /v1/summary gives it.
            for (site, day) in Set(expected.keys.map { [$0.site, $0.day] }) .map({ ($0[0], $0[1]) }) {
                let daySummary = try await storage.summary(site: site, day: day, includeMisuse: false)
                let cells = expected.filter { $0.key.site == site && $0.key.day == day }
                #expect(daySummary.terminals == Set(cells.keys.map(\.terminal)).sorted())
                for survey in daySummary.surveys {
                    #expect(survey.buttons.map(\.count) == (0..<4).map { button in
                        cells.filter { $0.key.survey == survey.survey && $0.key.button == button && $0.key.misuse == nil }.values.reduce(0, +)
                    }, "\(site) \(day) \(survey.survey)")
                }
            }
        }
    }

    @Test("a sample's local hour is its own: +14:00 and −09:30 across midnight, per hour and per weekday × hour",
          arguments: StorageBackend.allCases)
    func localHours(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let storage = harness.storage
            let at = { (text: String) in try #require(RFC3339.ms(parsing: text)) }
            // 2026-11-22T10:30Z at +14:00 is Monday 2026-11-23 00:30.
            try await Self.store(storage, "t1", site: "s", [Self.sample(try at("2026-11-22T10:30:00.000Z"), offset: 50_400, button: 3)])
            // At −09:30: Saturday 2026-11-21 22:40 and 23:59:59.999, then Sunday 2026-11-22 00:00.
            try await Self.store(storage, "t2", site: "s", [
                Self.sample(try at("2026-11-22T08:10:00.000Z"), offset: -34_200, button: 0),
                Self.sample(try at("2026-11-22T09:29:59.999Z"), offset: -34_200, button: 1, misuse: .interval),
                Self.sample(try at("2026-11-22T09:30:00.000Z"), offset: -34_200, button: 2),
            ])
            let range = try RollupFilter(sites: ["s"], from: Self.day("2026-11-21"), to: Self.day("2026-11-23"))
            let hours = try await storage.buckets(range, weekdays: false, includeMisuse: true, minSamples: 1)
            #expect(hours.map(\.hour) == Array(0..<24))
            #expect(Dictionary(uniqueKeysWithValues: hours.filter { $0.figures.counted > 0 }.map { ($0.hour, $0.figures.buttons.map(\.count)) })
                    == [0: [0, 0, 1, 1], 22: [1, 0, 0, 0], 23: [0, 1, 0, 0]])
            #expect(hours.allSatisfy { $0.figures.buttons.map(\.name) == ["b0", "b1", "b2", "b3"] })
            let accepted = try await storage.buckets(range, weekdays: false, includeMisuse: false, minSamples: 1)
            let lastHour = try #require(accepted.first { $0.hour == 23 })
            #expect(lastHour.figures.counted == 0 && lastHour.figures.misuse == ["interval": 1, "simultaneous": 0])
            #expect(lastHour.figures.satisfactionIndex == nil)

            let pattern = try await storage.buckets(range, weekdays: true, includeMisuse: true, minSamples: 1)
            #expect(Set(pattern.filter { $0.figures.counted > 0 }.map { "\($0.weekday ?? 0)/\($0.hour)" })
                    == ["1/0", "7/0", "6/22", "6/23"])

            let sunday = try await storage.rangeSummary(try RollupFilter(sites: ["s"], from: Self.day("2026-11-22"), to: Self.day("2026-11-22")),
                                                        includeMisuse: true, minSamples: 1)
            #expect(sunday.surveys.map { $0.buttons.map(\.count) } == [[0, 0, 1, 0]])
            #expect(try await storage.summary(site: "s", day: "2026-11-21", includeMisuse: true).surveys.first?.buttons.map(\.count)
                    == [1, 1, 0, 0])
        }
    }

    @Test("a summary over a set of sites and a range of days: counts, misuse, shares, index, top-2 and net score",
          arguments: StorageBackend.allCases)
    func rangeSummaries(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let storage = harness.storage
            let noon = Self.mondayMs + 12 * 3_600_000
            try await Self.store(storage, "ta", site: "a", [
                Self.sample(noon, offset: 0, button: 0), Self.sample(noon, offset: 0, button: 0),
                Self.sample(noon, offset: 0, button: 3), Self.sample(noon + 86_400_000, offset: 0, button: 3),
                Self.sample(noon, offset: 0, button: 1, misuse: .simultaneous),
            ])
            try await Self.store(storage, "tb", site: "b", [
                Self.sample(noon, offset: 0, button: 1, name: "meh"), Self.sample(noon, offset: 0, button: 2),
                // The third day: outside the range below.
                Self.sample(noon + 2 * 86_400_000, offset: 0, button: 0),
            ])
            try await Self.store(storage, "tc", site: "c", [Self.sample(noon, offset: 0, button: 3)])

            let pair = try RollupFilter(sites: ["a", "b", "nowhere"], from: Self.day("2026-11-16"), to: Self.day("2026-11-17"))
            let summary = try await storage.rangeSummary(pair, includeMisuse: false, minSamples: 1)
            #expect(summary.sites == ["a", "b", "nowhere"] && summary.from == "2026-11-16" && summary.to == "2026-11-17")
            let q = try #require(summary.surveys.first)
            #expect(summary.surveys.count == 1)
            #expect(q.buttons.map(\.count) == [2, 1, 1, 2])
            #expect(q.buttons.map(\.name) == ["b0", "b1", "b2", "b3"])
            #expect(q.buttons.map(\.share) == [33.3, 16.7, 16.7, 33.3])
            #expect(q.counted == 6 && q.accepted == 6)
            #expect(q.misuse == ["interval": 0, "simultaneous": 1])
            #expect(q.satisfactionIndex == 50.0)
            #expect(q.top2Share == 50.0)
            #expect(q.netScore == 0.0)
            // The same rules as the kiosk's summaries (SmileyCore's Figures).
            var tally = Tally(buttons: 4)
            for (button, count) in [2, 1, 1, 2].enumerated() { tally.add(button: button, misuse: nil, count: count) }
            let kiosk = Figures(tally: tally, includeMisuse: false, minSamples: 1)
            #expect(q.satisfactionIndex == kiosk.satisfactionIndex.map(SatisfactionIndex.rounded))

            let withMisuse = try await storage.rangeSummary(pair, includeMisuse: true, minSamples: 1)
            #expect(withMisuse.surveys.first?.buttons.map(\.count) == [2, 2, 1, 2])
            // Below the minimum: counts, but no scores.
            let few = try await storage.rangeSummary(pair, includeMisuse: false, minSamples: 7)
            #expect(few.surveys.first?.counted == 6 && few.surveys.first?.satisfactionIndex == nil && few.surveys.first?.netScore == nil)
            // The whole fleet over three days; one day of one site; no sites at all; another survey.
            let fleet = try await storage.rangeSummary(try RollupFilter(sites: nil, from: Self.day("2026-11-16"), to: Self.day("2026-11-18")),
                                                       includeMisuse: false, minSamples: 1)
            #expect(fleet.surveys.first?.buttons.map(\.count) == [3, 1, 1, 3])
            let oneDay = try await storage.rangeSummary(try RollupFilter(sites: ["a"], from: Self.day("2026-11-17"), to: Self.day("2026-11-17")),
                                                        includeMisuse: false, minSamples: 1)
            #expect(oneDay.surveys.first?.buttons.map(\.count) == [0, 0, 0, 1])
            #expect(try await storage.rangeSummary(try RollupFilter(sites: [], from: pair.from, to: pair.to),
                                                   includeMisuse: true, minSamples: 1).surveys == [])
            #expect(try await storage.rangeSummary(try RollupFilter(sites: nil, from: pair.from, to: pair.to, survey: "r"),
                                                   includeMisuse: true, minSamples: 1).surveys == [])
            #expect(throws: RollupFilterError("the range starts on 2026-11-18, after its last day 2026-11-16: give from ≤ to")) {
                try RollupFilter(sites: nil, from: Self.day("2026-11-18"), to: Self.day("2026-11-16"))
            }
        }
    }

    @Test("sites ranked by index: ties share a rank in site order, sites below the minimum come last without one",
          arguments: StorageBackend.allCases)
    func ranking(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let storage = harness.storage
            let noon = Self.mondayMs + 12 * 3_600_000
            // Indexes: c 100, b 50 (buttons 1 and 2), a 50 (0, 0, 3, 3), e 0; d has only a flagged press.
            try await Self.store(storage, "tb", site: "b", [Self.sample(noon, offset: 0, button: 1), Self.sample(noon, offset: 0, button: 2)])
            try await Self.store(storage, "ta", site: "a", [0, 0, 3, 3].map { Self.sample(noon, offset: 0, button: $0) })
            try await Self.store(storage, "te", site: "e", [Self.sample(noon, offset: 0, button: 0)])
            try await Self.store(storage, "tc", site: "c", [Self.sample(noon, offset: 0, button: 3)])
            try await Self.store(storage, "td", site: "d", [Self.sample(noon, offset: 0, button: 3, misuse: .interval)])
            let day = try RollupFilter(sites: nil, from: Self.day("2026-11-16"), to: Self.day("2026-11-16"))

            let ranked = try await storage.siteRanking(day, includeMisuse: false, minSamples: 1)
            #expect(ranked == [
                SiteRank(site: "c", samples: 1, satisfactionIndex: 100, rank: 1),
                SiteRank(site: "a", samples: 4, satisfactionIndex: 50, rank: 2),
                SiteRank(site: "b", samples: 2, satisfactionIndex: 50, rank: 2),
                SiteRank(site: "e", samples: 1, satisfactionIndex: 0, rank: 4),
                SiteRank(site: "d", samples: 0, satisfactionIndex: nil, rank: nil),
            ])
            let atLeastTwo = try await storage.siteRanking(day, includeMisuse: true, minSamples: 2)
            #expect(atLeastTwo.map { "\($0.site) \($0.rank.map(String.init) ?? "-")" } == ["a 1", "b 1", "c -", "d -", "e -"])
            let some = try await storage.siteRanking(try RollupFilter(sites: ["e", "b"], from: day.from, to: day.to),
                                                     includeMisuse: false, minSamples: 1)
            #expect(some.map(\.site) == ["b", "e"] && some.map(\.rank) == [1, 2])
            #expect(try await storage.siteRanking(try RollupFilter(sites: nil, from: Self.day("2026-11-17"), to: Self.day("2026-11-30")),
                                                  includeMisuse: true, minSamples: 1) == [])
        }
    }
}

extension StorageContractTests {
    /// Samples as a collector from before the rollups stored them: terminal, site, sample, misuse.
    static let earlierSamples: [(terminal: String, site: String, sample: WireSample)] = {
        let at = { (text: String) in RFC3339.ms(parsing: text) ?? 0 }
        return [
            ("t", "s", sample(at("2026-11-22T09:15:02.123Z"), offset: 7_200, button: 3)),
            ("t", "s", sample(at("2026-11-22T09:15:03.123Z"), offset: 7_200, button: 3, name: "B3")),
            ("t", "s", sample(at("2026-11-22T09:15:04.123Z"), offset: 7_200, button: 1, misuse: .interval)),
            // 14:00 local at −09:30; 00:30 the next day at +14:00.
            ("u", "s", sample(at("2026-11-22T23:30:00.000Z"), offset: -34_200, button: 0)),
            ("u", "s2", sample(at("2026-11-22T10:30:00.000Z"), offset: 50_400, survey: "r", button: 2, misuse: .simultaneous)),
        ]
    }()

    /// The SQL inserting ``earlierSamples`` (uuid and boolean as each database writes them).
    static func earlierSamplesSQL(uuid: (UUID) -> String, yes: String) -> String {
        "INSERT INTO sample (terminal, uuid, site, survey, button, button_name, scale, recorded_at, utc_offset, local_day, "
            + "clock_synchronized, misuse, batch, received_at) VALUES "
            + earlierSamples.map { terminal, site, sample in
                "('\(terminal)', \(uuid(sample.id)), '\(site)', '\(sample.survey)', \(sample.button), '\(sample.buttonName)', "
                    + "\(sample.scale), \(sample.recordedAtMs), \(sample.utcOffsetSeconds), '\(sample.localDay)', \(yes), "
                    + "\(sample.misuse.map { "'\($0.rawValue)'" } ?? "NULL"), 'k-\(terminal)', 1)"
            }.joined(separator: ", ") + ";"
    }

    @Test("opening a database from before the rollups fills them from its samples (SQLite v4-rollups, PostgreSQL version 3)",
          arguments: StorageBackend.allCases)
    func rollupBackfill(backend: StorageBackend) async throws {
        let check: @Sendable (any CollectorStorage) async throws -> Void = { storage in
            #expect(try await storage.rollupMismatches() == [])
            let range = try RollupFilter(sites: nil, from: Self.day("2026-11-22"), to: Self.day("2026-11-23"))
            let summary = try await storage.rangeSummary(range, includeMisuse: true, minSamples: 1)
            #expect(summary.surveys.map { "\($0.survey) \($0.buttons.map(\.count))" } == ["q [1, 1, 0, 2]", "r [0, 0, 1, 0]"])
            let day = try await storage.summary(site: "s", day: "2026-11-22", includeMisuse: false)
            #expect(day.terminals == ["t", "u"])
            #expect(day.surveys.first?.buttons.map(\.name) == ["b0", "b1", "button-2", "B3"])
            #expect(day.surveys.first?.buttons.map(\.count) == [1, 0, 0, 2])
            let hours = try await storage.buckets(try RollupFilter(sites: ["s"], from: range.from, to: range.from),
                                                  weekdays: false, includeMisuse: true, minSamples: 1)
            #expect(hours.filter { $0.figures.counted > 0 }.map(\.hour) == [11, 14])
        }
        // The recount sees a changed hourly row and a missing daily one.
        let tamper = "UPDATE rollup SET n = n + 1 WHERE terminal = 'u' AND hour = 14; DELETE FROM rollup_day WHERE site = 's2';"
        let tampered: @Sendable (any CollectorStorage) async throws -> Void = { storage in
            let mismatches = try await storage.rollupMismatches()
            #expect(mismatches == [
                RollupMismatch(site: "s", localDay: "2026-11-22", terminal: "u", survey: "q", scale: 4, button: 0, hour: 14, misuse: nil,
                               stored: 2, recounted: 1, storedName: "b0", recountedName: "b0"),
                RollupMismatch(site: "s2", localDay: "2026-11-23", terminal: "u", survey: "r", scale: 4, button: 2, hour: nil,
                               misuse: "simultaneous", stored: 0, recounted: 1, storedName: nil, recountedName: "b2"),
            ])
        }
        switch backend {
        case .sqlite:
            let folder = TemporaryFolder()
            let path = folder.file("c.sqlite")
            try SQLiteCollectorStorage.makeFile(path: path, migratedUpTo: "v2-sample-per-terminal")
            let sql = Self.earlierSamplesSQL(uuid: { "x'\($0.uuidString.replacingOccurrences(of: "-", with: ""))'" }, yes: "1")
            let made = try await runProcessAsync("/usr/bin/sqlite3", [path, sql])
            #expect(made.status == 0, "\(made.stderr)")
            let storage = try SQLiteCollectorStorage(path: path)
            try await check(storage)
            #expect(try await runProcessAsync("/usr/bin/sqlite3", [path, tamper]).status == 0)
            try await tampered(storage)
        case .postgres:
            let server = try #require(PostgresServerTrait.current)
            let earlier = PostgresSchema.migrations.filter { $0.version < PostgresSchema.rollups.version }
            try await StorageBackend.withPostgres(server, migrations: earlier) { storage in
                let database = storage.settings.database
                _ = try await server.psql(database, Self.earlierSamplesSQL(uuid: { "'\($0.uuidString)'" }, yes: "true"))
                #expect(try await storage.migrate() == [PostgresSchema.rollups.version])
                try await check(storage)
                _ = try await server.psql(database, tamper)
                try await tampered(storage)
            }
        }
    }
}
