/// Which sites a fleet read covers: named sites (`site=`, repeatable), a `region=`, or, with
/// neither, the whole fleet. What the credential may read narrows it further (403 beyond).
public enum FleetScope: Sendable, Hashable {
    case fleet
    case region(String)
    case sites([String])

    public static let maxSites = 100

    /// Reads `site` and `region`.
    public static func read(_ query: inout QueryReader) throws(CollectorHTTPError) -> FleetScope {
        let sites = query.all("site")
        let region = try query.single("region")
        switch (sites.isEmpty, region) {
        case (true, nil):
            return .fleet
        case (true, let region?):
            try checkID(region, "region", query)
            return .region(region)
        case (false, nil):
            guard sites.count <= maxSites else {
                throw CollectorHTTPError(.badRequest, "\(query.endpoint): at most \(maxSites) site= parameters; use region= for more")
            }
            for site in sites { try checkID(site, "site", query) }
            var seen = Set<String>()
            return .sites(sites.filter { seen.insert($0).inserted })
        case (false, _?):
            throw CollectorHTTPError(.badRequest, "\(query.endpoint): give site= or region=, not both")
        }
    }

    /// Ids are 1 to 128 visible characters (no controls).
    static func checkID(_ value: String, _ name: String, _ query: QueryReader) throws(CollectorHTTPError) {
        guard !value.isEmpty, value.count <= 128, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw CollectorHTTPError(.badRequest, "\(query.endpoint): \(name) must be 1 to 128 characters without control characters")
        }
    }
}
