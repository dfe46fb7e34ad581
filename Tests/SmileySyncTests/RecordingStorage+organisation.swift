import Foundation
import SmileyCollector

/// Sites and credentials: the wrapped storage's, unrecorded.
extension RecordingStorage {
    func addSite(_ site: Site) async throws { try await inner.addSite(site) }
    func sites() async throws -> [Site] { try await inner.sites() }
    func site(id: String) async throws -> Site? { try await inner.site(id: id) }
    func addCredential(_ scope: CredentialScope, digest: Data, createdAtMs: Int64) async throws -> Int64 {
        try await inner.addCredential(scope, digest: digest, createdAtMs: createdAtMs)
    }
    func credential(digest: Data) async throws -> Credential? { try await inner.credential(digest: digest) }
    func credentials() async throws -> [Credential] { try await inner.credentials() }
    func revokeCredential(id: Int64, atMs: Int64) async throws -> Bool { try await inner.revokeCredential(id: id, atMs: atMs) }
    func bindTerminal(_ terminal: String, site: String, atMs: Int64) async throws -> String {
        try await inner.bindTerminal(terminal, site: site, atMs: atMs)
    }
    func terminalSite(_ terminal: String) async throws -> String? { try await inner.terminalSite(terminal) }
    func terminalSites() async throws -> [String: String] { try await inner.terminalSites() }
}
