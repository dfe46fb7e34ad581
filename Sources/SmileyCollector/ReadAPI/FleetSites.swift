/// The sites a fleet read covers, once what the credential may read is applied (pure: the caller
/// gives the organisation's sites). An admin reads any site, also ones no site record names (data
/// from tokens-file terminals); a viewer reads its sites and its regions' sites, and its "fleet" is
/// exactly those.
public struct FleetSites: Sendable, Equatable {
    /// nil: every site, organised or not (an admin's fleet).
    public var sites: [String]?
    /// What the answer says it covers.
    public var description: FleetScopeDescription

    public static func resolve(_ scope: FleetScope, for principal: Principal, action: Access.Action,
                               organisation: [Site]) throws(CollectorHTTPError) -> FleetSites {
        if case .deny(let message) = Access.may(principal, action) { throw CollectorHTTPError(.forbidden, message) }
        let regionOf = Dictionary(organisation.map { ($0.id, $0.region) }, uniquingKeysWith: { first, _ in first })
        func inRegion(_ region: String) -> [String] {
            organisation.filter { $0.region == region }.map(\.id).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        switch scope {
        case .sites(let sites):
            for site in sites {
                if case .deny(let message) = Access.read(principal, action, site: site, region: regionOf[site]) {
                    throw CollectorHTTPError(.forbidden, message)
                }
            }
            return FleetSites(sites: sites, description: FleetScopeDescription(kind: sites.count == 1 ? "site" : "sites",
                                                                                region: nil, sites: sites))
        case .region(let region):
            if case .viewer(_, let regions) = principal.role, !regions.contains(region) {
                throw CollectorHTTPError(.forbidden, "this credential may not read region \(region) as a whole; "
                    + "it reads the regions \(regions.isEmpty ? "(none)" : regions.sorted().joined(separator: ", ")) and its own sites")
            }
            let sites = inRegion(region)
            guard !sites.isEmpty else {
                throw CollectorHTTPError(.notFound, "region \(region) has no sites (smiley-collector site list shows them)")
            }
            return FleetSites(sites: sites, description: FleetScopeDescription(kind: "region", region: region, sites: sites))
        case .fleet:
            switch principal.role {
            case .admin:
                return FleetSites(sites: nil, description: FleetScopeDescription(kind: "fleet", region: nil, sites: nil))
            case .viewer(let sites, let regions):
                var visible = Set(sites)
                for region in regions { visible.formUnion(inRegion(region)) }
                let list = visible.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                return FleetSites(sites: list, description: FleetScopeDescription(kind: "fleet", region: nil, sites: list))
            case .terminal:
                // Access.may refused it above.
                throw CollectorHTTPError(.forbidden, "a terminal's token reads nothing")
            }
        }
    }
}

/// The `scope` member of every fleet answer: `site`, `sites`, `region` or `fleet`, and the sites
/// it came to (absent for an admin's whole fleet).
public struct FleetScopeDescription: Codable, Sendable, Equatable {
    public var kind: String
    public var region: String?
    public var sites: [String]?
}
