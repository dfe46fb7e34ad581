/// `database-tls:` how the collector talks to PostgreSQL over TCP.
public enum PostgresTLSMode: String, Sendable, Equatable, CaseIterable {
    /// Plain TCP (a server on this host or a trusted network only).
    case disable
    /// TLS, the server's certificate verified against the trusted roots and its name against the host.
    case verifyFull = "verify-full"
}
