import Foundation
import Hummingbird

/// Who a request is (its bearer token, looked up on every request) and what it may do (``Access``).
extension CollectorAPI {
    /// The principal of the request's bearer token: a stored credential (looked up in the database
    /// each time, so a revocation holds at once on every collector), else a terminal of the legacy
    /// tokens file. 401 without a token, with an unknown one, or with a revoked one.
    func authenticate(_ request: Request) async throws(CollectorHTTPError) -> Principal {
        guard let header = request.headers[.authorization] else { throw .unauthorized }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw .unauthorized }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw .unauthorized }
        let digest = TokenDigest.of(token)
        // Looked up by its digest (a primary-key lookup): the time it takes depends on the digest, and
        // knowing digests does not reveal tokens (SHA-256 is one-way), so nothing about a token leaks.
        let stored: Credential?
        do {
            stored = try await storage.credential(digest: digest)
        } catch {
            logger.error("looking up a credential failed", metadata: ["error": "\(error)"])
            throw .unavailable("the collector cannot check the token now; retry later", retryAfterSeconds: 5)
        }
        if let stored {
            if let revoked = stored.revokedAtMs {
                logger.notice("revoked credential refused", metadata: ["credential": "\(stored.id)", "revokedAt": "\(revoked)"])
                throw .unauthorized
            }
            return Principal(stored)
        }
        if let terminal = tokens.terminal(forDigest: digest) {
            return Principal(role: .terminal(terminal, site: nil), credential: nil)
        }
        throw .unauthorized
    }

    /// Throws 403 with the decision's message.
    func require(_ decision: Access.Decision) throws(CollectorHTTPError) {
        if case .deny(let message) = decision { throw CollectorHTTPError(.forbidden, message) }
    }

    /// Checks that `principal` may write for `terminal` at `site` and returns the terminal. A
    /// tokens-file terminal without a site is bound by its first batch that passes here to that
    /// batch's site (the legacy mode); its heartbeats are checked once it is bound.
    func authorizeWrite(_ principal: Principal, _ action: Access.Action, terminal: String,
                        site: String) async throws(CollectorHTTPError) -> String {
        try require(Access.write(principal, action, terminal: terminal, site: site, boundSite: nil))
        guard case .terminal(let own, let known) = principal.role else { return terminal }
        var bound = known
        if bound == nil {
            do {
                // Read first: binding is a write, needed once per terminal.
                bound = try await storage.terminalSite(own)
                if bound == nil, action == .postBatch { bound = try await storage.bindTerminal(own, site: site, atMs: nowMs()) }
            } catch {
                let noun = action == .postBatch ? "batch" : "heartbeat"
                logger.error("storing a \(noun) failed", metadata: ["terminal": "\(own)", "error": "\(error)"])
                throw .unavailable("the collector cannot store the \(noun) now; retry later", retryAfterSeconds: 5)
            }
        }
        try require(Access.write(principal, action, terminal: terminal, site: site, boundSite: bound))
        return own
    }

    /// Checks that `principal` may read `site` (its region looked up in the organisation).
    func authorizeRead(_ principal: Principal, _ action: Access.Action, site: String) async throws(CollectorHTTPError) {
        try require(Access.may(principal, action))
        guard case .viewer = principal.role else { return }
        let region: String?
        do {
            region = try await storage.site(id: site)?.region
        } catch {
            throw .unavailable("the collector cannot check the site now; retry later", retryAfterSeconds: 5)
        }
        try require(Access.read(principal, action, site: site, region: region))
    }

    /// The terminals `principal` may see: all for an admin, those of its sites for a viewer.
    func visible(_ terminals: [TerminalInfo], to principal: Principal) async throws -> [TerminalInfo] {
        guard case .viewer = principal.role else { return terminals }
        let sites = try await storage.terminalSites()
        let regions = Dictionary(uniqueKeysWithValues: try await storage.sites().map { ($0.id, $0.region) })
        return terminals.filter { info in
            guard let site = sites[info.terminal] else { return false }
            return Access.read(principal, .getTerminals, site: site, region: regions[site]) == .allow
        }
    }
}
