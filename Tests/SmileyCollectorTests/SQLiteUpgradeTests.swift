import Foundation
import SmileyTestSupport
import SmileyWire
import Testing
@testable import SmileyCollector

/// A collector's SQLite file from before samples were unique per terminal keeps its samples.
@Suite("smiley-collector: SQLite v1 → v2 (samples unique per terminal)")
struct SQLiteUpgradeTests {
    @Test("v2 keeps every v1 sample and its order; afterwards another terminal's sample with a known id is stored")
    func upgrade() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("c.sqlite")
        let id = UUID()
        // The file a v1 collector left (its schema, and GRDB's record of the applied migration).
        let made = try await runProcessAsync("/usr/bin/sqlite3", [path, """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1-collector');
            CREATE TABLE sample (id INTEGER PRIMARY KEY, uuid BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16),
                terminal TEXT NOT NULL, site TEXT NOT NULL, survey TEXT NOT NULL, button INTEGER NOT NULL,
                button_name TEXT NOT NULL, scale INTEGER NOT NULL, recorded_at INTEGER NOT NULL, utc_offset INTEGER NOT NULL,
                local_day TEXT NOT NULL, clock_synchronized INTEGER NOT NULL, misuse TEXT, batch TEXT NOT NULL,
                received_at INTEGER NOT NULL);
            CREATE INDEX sample_by_site_day ON sample(site, local_day);
            CREATE INDEX sample_by_terminal ON sample(terminal);
            CREATE TABLE batch_key (terminal TEXT NOT NULL, key TEXT NOT NULL, fingerprint BLOB NOT NULL, status INTEGER NOT NULL,
                response BLOB NOT NULL, samples INTEGER NOT NULL, accepted INTEGER NOT NULL, received_at INTEGER NOT NULL,
                PRIMARY KEY (terminal, key)) WITHOUT ROWID;
            CREATE TABLE heartbeat (terminal TEXT PRIMARY KEY, received_at INTEGER NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;
            INSERT INTO sample (uuid, terminal, site, survey, button, button_name, scale, recorded_at, utc_offset, local_day,
                                clock_synchronized, misuse, batch, received_at)
            VALUES (x'\(id.uuidString.replacingOccurrences(of: "-", with: ""))', 'u', 's', 'q', 1, 'b1', 4, 1795338902123, 7200,
                    '2026-11-22', 1, 'interval', 'k1', 1);
            INSERT INTO batch_key VALUES ('u', 'k1', x'01', 200, x'7B7D', 1, 1, 1);
            """])
        #expect(made.status == 0, "\(made.stderr)")
        let storage = try SQLiteCollectorStorage(path: path)
        let before = try await storage.storedSamples()
        #expect(before.map { "\($0.terminal) \($0.id) \($0.button) \($0.misuse ?? "-") \($0.batch)" } == ["u \(id) 1 interval k1"])
        #expect(try await storage.health() == StorageHealth(samples: 1, batches: 1, terminals: 1))

        let key = UUID().uuidString.lowercased()
        let body = #"{"terminal":"t","site":"s","batch":"\#(key)","samples":[{"id":"\#(id.uuidString.lowercased())","survey":"q","button":3,"buttonName":"b3","scale":4,"recordedAt":"2026-11-22T09:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":null}]}"#
        let outcome = try await storage.submit(try WireDecoder.batch(from: Data(body.utf8)), terminal: "t", key: key,
                                               fingerprint: Data([1]), receivedAtMs: 2)
        guard case .stored(let result) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(String(decoding: result.body, as: UTF8.self).contains(#""accepted":1,"duplicates":0"#))
        #expect(try await storage.storedSamples().map(\.terminal) == ["u", "t"])
    }
}
