import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Per-terminal bearer tokens, from the tokens file (the legacy mode: `smiley-collector token import`
/// moves them into the database, where they can be revoked): one `terminal-id token` pair per line,
/// `#` starts a comment. The file must be the collector's user's own and readable by it only
/// (mode 0600; the unit's comment says the same). Tokens are kept as SHA-256
/// digests, so a lookup takes the same time whatever the token looks like.
public struct TokenTable: Sendable {
    private let terminalsByDigest: [Data: String]

    public var count: Int { terminalsByDigest.count }

    public init(pairs: [(terminal: String, token: String)]) {
        var table: [Data: String] = [:]
        for pair in pairs { table[Self.digest(pair.token)] = pair.terminal }
        terminalsByDigest = table
    }

    /// The terminal a bearer token belongs to.
    public func terminal(forToken token: String) -> String? {
        terminalsByDigest[Self.digest(token)]
    }

    /// The terminal whose token has this SHA-256 digest.
    public func terminal(forDigest digest: Data) -> String? { terminalsByDigest[digest] }

    /// Every terminal with its token's digest (what `token import` stores).
    public var digests: [(terminal: String, digest: Data)] {
        terminalsByDigest.map { (terminal: $0.value, digest: $0.key) }.sorted { $0.terminal < $1.terminal }
    }

    /// The user's name, or its number when it has none.
    static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "\(uid)" }
        return String(cString: name)
    }

    static func digest(_ token: String) -> Data { Data(SHA256.hash(data: Data(token.utf8))) }

    /// - Parameter owner: the user the file must belong to: the collector's own (tests give another).
    public static func load(path: String, owner: uid_t = geteuid()) throws(CollectorConfigError) -> TokenTable {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CollectorConfigError("tokens-file \(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        if info.st_uid != owner {
            throw CollectorConfigError("tokens-file \(path) belongs to user \(userName(info.st_uid)), not to the collector's "
                + "user \(userName(owner)); another user could change the tokens. Run: chown \(userName(owner)) \(path); chmod 600 \(path)")
        }
        if info.st_mode & 0o077 != 0 {
            throw CollectorConfigError("tokens-file \(path) is open to its group or others (mode \(String(info.st_mode & 0o777, radix: 8))); the tokens would be readable by other users. Run: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CollectorConfigError("tokens-file \(path) cannot be read as UTF-8 text")
        }
        var pairs: [(String, String)] = []
        var seenTerminals: [String: Int] = [:]
        var seenTokens: [String: Int] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
                .map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count == 2 else {
                throw CollectorConfigError("tokens-file \(path):\(number): expected `terminal-id token`, got \(fields.count) field(s)")
            }
            let (terminal, token) = (fields[0], fields[1])
            guard token.count >= 16 else {
                throw CollectorConfigError("tokens-file \(path):\(number): the token of \(terminal) is shorter than 16 characters; use a long random token (e.g. openssl rand -hex 32)")
            }
            if let first = seenTerminals[terminal] {
                throw CollectorConfigError("tokens-file \(path):\(number): terminal \(terminal) already has a token on line \(first)")
            }
            if let first = seenTokens[token] {
                throw CollectorConfigError("tokens-file \(path):\(number): this token is already given to another terminal on line \(first); every terminal needs its own")
            }
            seenTerminals[terminal] = number
            seenTokens[token] = number
            pairs.append((terminal, token))
        }
        guard !pairs.isEmpty else {
            throw CollectorConfigError("tokens-file \(path) lists no terminal; add lines `terminal-id token`")
        }
        return TokenTable(pairs: pairs.map { (terminal: $0.0, token: $0.1) })
    }
}
