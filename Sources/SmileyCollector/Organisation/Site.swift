import SmileyCore

/// A site (a store, a branch): it belongs to one region, keeps its own time zone and opening
/// hours, and every terminal belongs to exactly one site (fleet → region → site → terminal).
public struct Site: Sendable, Equatable, Codable {
    public var id: String
    public var region: String
    /// An IANA time zone of the system's tz database (`Europe/Helsinki`).
    public var timeZone: String
    /// Nil when not given; the text of ``OpeningHours`` otherwise.
    public var openingHours: String?

    /// A site whose every field has been checked: ids per ``OrganisationName``, the zone found in
    /// the tz database (`databaseDirectory`), the opening hours parsed.
    public init(id: String, region: String, timeZone: String, openingHours: String?,
                databaseDirectory: String = Zone.databaseDirectory) throws(OrganisationError) {
        if let problem = OrganisationName.problem(id, what: "site id") { throw OrganisationError(problem) }
        if let problem = OrganisationName.problem(region, what: "region") { throw OrganisationError(problem) }
        guard Zone(identifier: timeZone, databaseDirectory: databaseDirectory) != nil else {
            throw OrganisationError("time zone \"\(timeZone.prefix(80))\" is not in the tz database (\(databaseDirectory)); use an IANA name such as Europe/Helsinki")
        }
        var hours: String?
        if let openingHours { hours = try OpeningHours(parsing: openingHours).description }
        self.init(stored: id, region: region, timeZone: timeZone, openingHours: hours)
    }

    /// A site as the storage kept it (checked when it was added).
    init(stored id: String, region: String, timeZone: String, openingHours: String?) {
        self.id = id
        self.region = region
        self.timeZone = timeZone
        self.openingHours = openingHours
    }
}
