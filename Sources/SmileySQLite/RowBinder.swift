import Foundation
import GRDB
import GRDBSQLite

/// Binds one row of values to a cached GRDB statement through SQLite's C API, and steps it.
///
/// GRDB's `Statement.execute(arguments:)` boxes every value as a `DatabaseValueConvertible`
/// existential (and a UUID as `Data`); for the statements that run once per sample — smileyd's
/// insert of a press, the collector's insert of a received sample — that costs more than the
/// insert itself under a burst. Here each value is bound as what it is (texts and blobs copied by
/// SQLite before the call returns). The first failing bind is kept and reported by ``step(in:)``
/// as GRDB's `DatabaseError`, so callers roll back and retry as after any failed statement. It
/// runs inside the caller's GRDB transaction, on GRDB's statement.
public struct RowBinder: ~Copyable {
    @usableFromInline let handle: OpaquePointer
    @usableFromInline var code: Int32 = SQLITE_OK

    /// SQLite copies the bytes before the bind call returns.
    @usableFromInline static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Resets the statement and clears its previous row's values.
    @inlinable
    public init(_ statement: Statement) {
        // (Not `statement.sql`: GRDB builds that String from C on each call — once per row here.)
        handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    @inlinable
    public mutating func bind(_ index: Int32, _ value: Int64) {
        guard code == SQLITE_OK else { return }
        code = sqlite3_bind_int64(handle, index, value)
    }

    @inlinable
    public mutating func bind(_ index: Int32, _ value: Int) {
        bind(index, Int64(value))
    }

    @inlinable
    public mutating func bind(_ index: Int32, _ value: Bool) {
        bind(index, Int64(value ? 1 : 0))
    }

    @inlinable
    public mutating func bind(_ index: Int32, _ text: String) {
        guard code == SQLITE_OK else { return }
        var text = text
        code = text.withUTF8 { bytes in
            // An empty string has no base address; SQLite wants a pointer for '' (not NULL).
            guard let base = bytes.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, Self.transient) }
            return sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                     Int32(bytes.count), Self.transient)
        }
    }

    /// A text, or NULL.
    @inlinable
    public mutating func bind(_ index: Int32, _ text: String?) {
        guard let text else {
            guard code == SQLITE_OK else { return }
            code = sqlite3_bind_null(handle, index)
            return
        }
        bind(index, text)
    }

    /// The UUID's 16 bytes as a blob (how the databases keep sample ids).
    @inlinable
    public mutating func bind(_ index: Int32, _ uuid: UUID) {
        guard code == SQLITE_OK else { return }
        code = withUnsafeBytes(of: uuid.uuid) { bytes in
            sqlite3_bind_blob(handle, index, bytes.baseAddress, 16, Self.transient)
        }
    }

    /// Runs the statement once; throws the first failure (of a bind or of the step).
    @inlinable
    public consuming func step(in db: Database) throws {
        if code == SQLITE_OK {
            code = sqlite3_step(handle)
            if code == SQLITE_DONE {
                sqlite3_reset(handle)
                return
            }
        }
        // The message belongs to the connection's last call: read it before anything else runs.
        let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
        let sql = sqlite3_sql(handle).map { String(cString: $0) }
        sqlite3_reset(handle)
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }
}
