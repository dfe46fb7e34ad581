/// A stored credential: its scope and dates; never its token, of which only the SHA-256 digest is kept.
public struct Credential: Sendable, Equatable {
    public var id: Int64
    public var scope: CredentialScope
    public var createdAtMs: Int64
    /// When it was revoked; a revoked credential is refused (401) from then on.
    public var revokedAtMs: Int64?

    public init(id: Int64, scope: CredentialScope, createdAtMs: Int64, revokedAtMs: Int64?) {
        self.id = id
        self.scope = scope
        self.createdAtMs = createdAtMs
        self.revokedAtMs = revokedAtMs
    }
}
