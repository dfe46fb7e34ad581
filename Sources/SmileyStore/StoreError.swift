import SmileyCore
import Foundation

/// Why the database cannot be used, with the path and what to do about it.
public enum StoreError: UserFacingError, Sendable, Equatable {
    /// The database file does not exist (read-only clients never create it).
    case missing(path: String)
    /// The folder or the file cannot be written by this user.
    case notWritable(path: String, user: String, reason: String)
    /// The folder for the database cannot be created.
    case cannotCreateFolder(path: String, reason: String)
    /// The file exists but is not a Smiley database, or SQLite cannot open it.
    case cannotOpen(path: String, reason: String)
    /// The database was written by a newer Smiley.
    case newerSchema(path: String, unknownMigrations: [String], known: String)
    /// A query failed.
    case query(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "database \(path) does not exist: smileyd creates it on its first start; check `database:` in the config (or --config)"
        case .notWritable(let path, let user, let reason):
            return "database \(path) is not writable by user \(user) (\(reason)); fix: give that user write access to the file and its folder, e.g. `chown -R \(user) \(URL(fileURLWithPath: path).deletingLastPathComponent().path)`, or set StateDirectory=smiley in the service"
        case .cannotCreateFolder(let path, let reason):
            return "cannot create the database folder \(path) (\(reason)); fix: create it and give the daemon's user write access, or choose another `database:` path"
        case .cannotOpen(let path, let reason):
            return "cannot open database \(path): \(reason)"
        case .newerSchema(let path, let unknown, let known):
            return "database \(path) was written by a newer Smiley (schema steps this binary does not know: \(unknown.joined(separator: ", ")); it knows up to \(known)); upgrade smiley, or point `database:` at another file. Nothing was changed."
        case .query(let path, let reason):
            return "reading database \(path) failed: \(reason)"
        }
    }

    /// sysexits(3) status for this error.
    public var exitCode: Int32 {
        switch self {
        case .missing: 66               // EX_NOINPUT
        case .notWritable, .cannotCreateFolder: 73  // EX_CANTCREAT
        case .cannotOpen, .query: 74    // EX_IOERR
        case .newerSchema: 65           // EX_DATAERR
        }
    }
}
