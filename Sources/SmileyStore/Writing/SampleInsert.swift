import Foundation
import GRDB
import GRDBSQLite

/// The one statement smileyd runs per press, bound straight through SQLite's C API.
///
/// `Statement.execute(arguments:)` would box thirteen values as `DatabaseValueConvertible`
/// existentials and turn the UUID into a `Data` for every row; under a burst that is a fifth of
/// the writer's time. Here each value is bound as what it is (the UUID's 16 bytes from the stack,
/// the texts copied by SQLite) and the statement stepped once. It runs inside the writer's GRDB
/// transaction, on GRDB's cached statement, and reports failures as GRDB's `DatabaseError`, so a
/// full disk is rolled back and retried like any other failed commit.
enum SampleInsert {
    static let sql = """
        INSERT INTO sample (uuid, terminal, site, survey, button, scale, button_name,
            recorded_at, utc_offset, boot_id, monotonic_ns, clock_synchronized, misuse)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// SQLite copies the bytes before the bind call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func insert(_ sample: NewSample, in db: Database) throws {
        let statement = try db.cachedStatement(sql: sql)
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        var code = withUnsafeBytes(of: sample.id.uuid) { bytes in
            sqlite3_bind_blob(handle, 1, bytes.baseAddress, 16, transient)
        }
        if code == SQLITE_OK { code = sqlite3_bind_text(handle, 2, sample.terminal, -1, transient) }
        if code == SQLITE_OK { code = sqlite3_bind_text(handle, 3, sample.site, -1, transient) }
        if code == SQLITE_OK { code = sqlite3_bind_text(handle, 4, sample.survey, -1, transient) }
        if code == SQLITE_OK { code = sqlite3_bind_int64(handle, 5, Int64(sample.button)) }
        if code == SQLITE_OK { code = sqlite3_bind_int64(handle, 6, Int64(sample.scale)) }
        if code == SQLITE_OK { code = sqlite3_bind_text(handle, 7, sample.buttonName, -1, transient) }
        if code == SQLITE_OK { code = sqlite3_bind_int64(handle, 8, sample.recordedAtMs) }
        if code == SQLITE_OK { code = sqlite3_bind_int64(handle, 9, Int64(sample.utcOffsetSeconds)) }
        if code == SQLITE_OK { code = sqlite3_bind_text(handle, 10, sample.bootID, -1, transient) }
        if code == SQLITE_OK { code = sqlite3_bind_int64(handle, 11, Int64(bitPattern: sample.monotonicNs)) }
        if code == SQLITE_OK { code = sqlite3_bind_int64(handle, 12, sample.clockSynchronized ? 1 : 0) }
        if code == SQLITE_OK {
            if let misuse = sample.misuse {
                code = sqlite3_bind_text(handle, 13, misuse.rawValue, -1, transient)
            } else {
                code = sqlite3_bind_null(handle, 13)
            }
        }
        if code == SQLITE_OK {
            code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
        }
        throw DatabaseError(resultCode: ResultCode(rawValue: code),
                            message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
    }
}
