import Foundation
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Opens the SQLite database the way each side needs it.
///
/// - The daemon: ``openForWriting(path:)`` — WAL, `synchronous=FULL` (every commit is fsynced
///   before it returns), a busy timeout, migrations applied.
/// - `smileyctl`: ``openReadOnly(path:)`` — never writes, never migrates, never blocks the daemon
///   (WAL readers don't block the writer; queries are short read transactions).
public enum SmileyDatabase {
    /// The daemon's connection pool.
    public static func openForWriting(path: String, maxPageCount: Int? = nil) throws(StoreError) -> DatabasePool {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try ensureFolder(folder)
        try checkWritable(path: path, folder: folder)

        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try keepWALFiles(db, path: path)
            if let maxPageCount {
                // Tests use this to make SQLite report a full disk (SQLITE_FULL) for real.
                try db.execute(sql: "PRAGMA max_page_count = \(maxPageCount)")
            }
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .cannotOpen(path: path, reason: describe(error))
        }
        do {
            // GRDB turns WAL on with synchronous=NORMAL, which may roll back the last commits on a
            // power cut. The pool has one writer connection: make it FULL (fsync at every commit).
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw .cannotOpen(path: path, reason: describe(error))
        }
        try checkSchemaNotNewer(pool, path: path)
        do {
            try SmileyMigrations.migrator.migrate(pool)
        } catch {
            throw .cannotOpen(path: path, reason: "applying migrations failed: \(describe(error))")
        }
        return pool
    }

    /// Keeps the -wal and -shm files when the last connection closes (SQLITE_FCNTL_PERSIST_WAL).
    /// A reader that may not write the database's folder (staff in the smiley group, with the
    /// daemon stopped or crashed) can open a WAL database only when both files exist: SQLite
    /// then maps the -shm read-only. Safe: a clean close still checkpoints everything into the
    /// database file and empties the -wal; only the two files' names stay.
    static func keepWALFiles(_ db: Database, path: String) throws {
        var persist: Int32 = 1
        let code = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        if code != SQLITE_OK {
            throw StoreError.cannotOpen(path: path, reason: "cannot keep the WAL files (SQLite \(code))")
        }
    }

    /// A read-only connection for staff tools.
    public static func openReadOnly(path: String) throws(StoreError) -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw .cannotOpen(path: path, reason: describe(error))
        }
        try checkSchemaNotNewer(queue, path: path)
        return queue
    }

    /// Refuses a database with migrations this binary does not know.
    static func checkSchemaNotNewer(_ writer: some DatabaseReader, path: String) throws(StoreError) {
        let migrator = SmileyMigrations.migrator
        do {
            let unknown: [String] = try writer.read { db in
                guard try db.tableExists("grdb_migrations") else { return [] }
                let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                let known = Set(migrator.migrations)
                return applied.filter { !known.contains($0) }.sorted()
            }
            if !unknown.isEmpty {
                throw StoreError.newerSchema(path: path, unknownMigrations: unknown,
                                             known: migrator.migrations.last ?? "nothing")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .cannotOpen(path: path, reason: describe(error))
        }
    }

    private static func ensureFolder(_ folder: String) throws(StoreError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            if !isDirectory.boolValue {
                throw .cannotCreateFolder(path: folder, reason: "a file of that name is in the way")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateFolder(path: folder, reason: describe(error))
        }
    }

    private static func checkWritable(path: String, folder: String) throws(StoreError) {
        let user = currentUserName()
        if FileManager.default.fileExists(atPath: path) {
            if access(path, W_OK) != 0 {
                throw .notWritable(path: path, user: user, reason: "the file: \(String(cString: strerror(errno)))")
            }
        }
        // SQLite also writes the -wal and -shm files beside the database.
        if access(folder, W_OK) != 0 {
            throw .notWritable(path: path, user: user, reason: "its folder \(folder): \(String(cString: strerror(errno)))")
        }
    }

    static func currentUserName() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name {
            return String(cString: name)
        }
        return "uid \(geteuid())"
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            let message = error.message ?? "\(error.resultCode)"
            return "\(message) (SQLite \(error.extendedResultCode.rawValue))"
        }
        return String(describing: error)
    }
}
