import Foundation
import GRDB
import SmileySQLite

/// The one statement smileyd runs per press, bound straight through SQLite's C API
/// (``RowBinder``: no boxed arguments, the UUID's 16 bytes from the stack). It runs inside the
/// writer's GRDB transaction and fails with GRDB's `DatabaseError`, so a full disk is rolled back
/// and retried like any other failed commit.
enum SampleInsert {
    static let sql = """
        INSERT INTO sample (uuid, terminal, site, survey, button, scale, button_name,
            recorded_at, utc_offset, boot_id, monotonic_ns, clock_synchronized, misuse)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func insert(_ sample: NewSample, in db: Database) throws {
        var row = RowBinder(try db.cachedStatement(sql: sql))
        row.bind(1, sample.id)
        row.bind(2, sample.terminal)
        row.bind(3, sample.site)
        row.bind(4, sample.survey)
        row.bind(5, sample.button)
        row.bind(6, sample.scale)
        row.bind(7, sample.buttonName)
        row.bind(8, sample.recordedAtMs)
        row.bind(9, sample.utcOffsetSeconds)
        row.bind(10, sample.bootID)
        row.bind(11, Int64(bitPattern: sample.monotonicNs))
        row.bind(12, sample.clockSynchronized)
        row.bind(13, sample.misuse?.rawValue)
        try row.step(in: db)
    }
}
