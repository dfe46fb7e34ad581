import SmileyCore

/// Data the organisation (regions, sites, terminals, credentials) refuses: an unknown or duplicate
/// site, a bad time zone or opening hours, a terminal already at another site. Exit status 65 (EX_DATAERR).
public struct OrganisationError: UserFacingError, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
    public var exitCode: Int32 { 65 }

    public static func unknownSite(_ site: String) -> OrganisationError {
        OrganisationError("site \(site) does not exist; add it first: smiley-collector site add \(site) --region R --time-zone Z")
    }

    static func unknownRegion(_ region: String) -> OrganisationError {
        OrganisationError("region \(region) has no site; a region exists once a site names it (smiley-collector site add … --region \(region))")
    }

    static func siteExists(_ site: String) -> OrganisationError {
        OrganisationError("site \(site) exists already")
    }

    static func terminalElsewhere(_ terminal: String, site: String, wanted: String) -> OrganisationError {
        OrganisationError("terminal \(terminal) belongs to site \(site), not \(wanted); a terminal belongs to exactly one site")
    }

    static let tokenExists = OrganisationError("this token is stored already (as another credential)")
}
