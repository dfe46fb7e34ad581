import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file holding a secret (a database password, a pgpass file): read only when its owner is the
/// user the collector runs as and nobody else may read it.
enum SecretFile {
    /// The largest secret file read.
    static let maxBytes = 64 * 1024

    /// The file's text; `what` names it in messages (e.g. "database-password-file /etc/…").
    static func read(_ path: String, what: String) throws(CollectorConfigError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CollectorConfigError("\(what) cannot be read: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw CollectorConfigError("\(what) is not a regular file") }
        let user = geteuid()
        if info.st_uid != user {
            throw CollectorConfigError("\(what) is owned by uid \(info.st_uid), not by the user smiley-collector runs as (uid \(user)); another user could change the secret. Run: chown \(user) \(path)")
        }
        if info.st_mode & 0o077 != 0 {
            throw CollectorConfigError("\(what) is open to its group or others (mode \(String(info.st_mode & 0o777, radix: 8))); the secret would be readable by other users. Run: chmod 600 \(path)")
        }
        guard info.st_size <= maxBytes else { throw CollectorConfigError("\(what) is larger than \(maxBytes) bytes") }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CollectorConfigError("\(what) cannot be read as UTF-8 text")
        }
        return text
    }
}
