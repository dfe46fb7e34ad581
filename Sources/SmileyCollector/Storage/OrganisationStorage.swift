import Foundation

/// The organisation and the credentials, kept in the collector's database (both backends; the
/// organisation contract tests run the same bodies on each):
/// - sites belong to a region (created with its first site); a site id is added once;
/// - a terminal belongs to exactly one site: recorded when its credential is made, or — for a
///   terminal of the legacy tokens file — by its first accepted batch (``bindTerminal(_:site:atMs:)``);
/// - credentials are stored by the SHA-256 digest of their token only; a revoked one stays listed.
/// Lookups go to the database on every request (no cache), so a revocation holds at once on every collector.
public protocol OrganisationStorage: Sendable {
    /// Throws ``OrganisationError`` when the site exists.
    func addSite(_ site: Site) async throws
    /// Every site, by id.
    func sites() async throws -> [Site]
    func site(id: String) async throws -> Site?

    /// Stores a credential and returns its id. Throws ``OrganisationError`` for an unknown site or
    /// region, a terminal already at another site, or a digest already stored.
    func addCredential(_ scope: CredentialScope, digest: Data, createdAtMs: Int64) async throws -> Int64
    /// The credential whose token has this digest, revoked or not.
    func credential(digest: Data) async throws -> Credential?
    /// Every credential, by id.
    func credentials() async throws -> [Credential]
    /// Marks the credential revoked (the first revocation's time stays); false when there is no such id.
    func revokeCredential(id: Int64, atMs: Int64) async throws -> Bool

    /// The site `terminal` belongs to: the one recorded, or `site` when it had none (now recorded).
    func bindTerminal(_ terminal: String, site: String, atMs: Int64) async throws -> String
    /// The site `terminal` belongs to, nil when none is recorded.
    func terminalSite(_ terminal: String) async throws -> String?
    /// Every terminal with its site.
    func terminalSites() async throws -> [String: String]
}
