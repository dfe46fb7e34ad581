import SmileyCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The bearer token, read from `upstream.token-file`. It never appears in a log line or an error:
/// ``description`` is a placeholder and ``Redactor`` scrubs it from any text that might echo it.
public struct BearerToken: Sendable, CustomStringConvertible {
    let value: String

    public var description: String { "[token]" }

    /// `Bearer …` for the Authorization header.
    var headerValue: String { "Bearer \(value)" }

    /// For tests and for the foreground sync that already read a validated token.
    public init(unchecked value: String) { self.value = value }
}

/// Why the token file cannot be used. The message names the file and what to do, never the token.
public struct TokenFileError: UserFacingError, Sendable {
    public var path: String
    public var problem: String

    public var description: String { "upstream.token-file \(path): \(problem)" }

    /// sysexits EX_CONFIG.
    public var exitCode: Int32 { 78 }
}

public enum TokenFile {
    /// Reads the token: a regular file, readable by its owner only (no group or other bits), one
    /// line of visible ASCII (RFC 6750 b64token characters).
    public static func read(path: String) throws(TokenFileError) -> BearerToken {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw TokenFileError(path: path, problem: "cannot be read (\(reason)); create it with the token the receiver gave this terminal and chmod 600 it")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw TokenFileError(path: path, problem: "is not a regular file (\(FileKind.name(info.st_mode))); put the token in a plain file")
        }
        guard info.st_size <= 16 * 1024 else {
            throw TokenFileError(path: path, problem: "is \(info.st_size) bytes; a token file holds one line of at most 4096 characters")
        }
        let loose = info.st_mode & 0o077
        if loose != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            let who = (loose & 0o070 != 0 && loose & 0o007 != 0) ? "its group and others"
                : (loose & 0o070 != 0 ? "its group" : "others")
            throw TokenFileError(path: path, problem: "is open to \(who) (mode \(mode)); the token would be readable by other users. Run: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenFileError(path: path, problem: "cannot be read by user \(currentUser()) (permission denied?); the daemon's user must own it")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenFileError(path: path, problem: "is not text; it must hold the token on one line")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard lines.count == 1, let token = lines.first else {
            throw TokenFileError(path: path, problem: lines.isEmpty ? "is empty; put the token on one line"
                : "has \(lines.count) lines; it must hold the token alone on one line")
        }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=")
        guard token.count <= 4096, token.allSatisfy({ allowed.contains($0) }) else {
            throw TokenFileError(path: path, problem: "the token contains characters a bearer token cannot have "
                + "(allowed: letters, digits and - . _ ~ + / =), or is longer than 4096 characters")
        }
        return BearerToken(unchecked: token)
    }

    static func currentUser() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }
}
