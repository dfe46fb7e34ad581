import SmileyCore

/// Which rollups a fleet query reads: some sites (nil: every site; the caller resolves a region
/// or the fleet to its sites), a range of the terminals' local days, optionally one survey.
public struct RollupFilter: Sendable, Equatable {
    /// nil: every site. An empty list reads nothing (a viewer of no sites sees no figures).
    public var sites: [String]?
    /// The first and last local day, both included.
    public var from: LocalDay
    public var to: LocalDay
    public var survey: String?

    /// Throws ``RollupFilterError`` when `from` is after `to`.
    public init(sites: [String]?, from: LocalDay, to: LocalDay, survey: String? = nil) throws(RollupFilterError) {
        guard from <= to else { throw RollupFilterError("the range starts on \(from), after its last day \(to): give from ≤ to") }
        self.sites = sites
        self.from = from
        self.to = to
        self.survey = survey
    }

    /// One site's one day.
    public init(site: String, day: LocalDay) {
        sites = [site]
        from = day
        to = day
        survey = nil
    }

    /// True when no site can match (an empty list of sites).
    var matchesNothing: Bool { sites?.isEmpty == true }
}
