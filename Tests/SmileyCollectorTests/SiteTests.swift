import Testing
@testable import SmileyCollector

/// A site's fields: ids, the time zone (in the system's tz database), the opening hours (strict).
@Suite("smiley-collector: sites and opening hours")
struct SiteTests {
    @Test("opening hours: days, ranges, several intervals a day; a day not named is closed")
    func openingHours() throws {
        let hours = try OpeningHours(parsing: "Mon-Fri 08:00-12:00,  mon-fri 13:00-20:00, sat 09:00-18:00, sun 22:00-24:00")
        #expect(hours.description == "mon-fri 08:00-12:00, mon-fri 13:00-20:00, sat 09:00-18:00, sun 22:00-24:00")
        #expect(hours.isOpen(.wed, minute: 8 * 60))
        #expect(!hours.isOpen(.wed, minute: 12 * 60 + 30))
        #expect(!hours.isOpen(.fri, minute: 20 * 60))
        #expect(hours.isOpen(.sat, minute: 17 * 60 + 59))
        #expect(hours.isOpen(.sun, minute: 23 * 60 + 59))
        #expect(hours.days[.mon]?.count == 2)
        #expect(hours.days[.sun] == [OpeningHours.Interval(start: 22 * 60, end: 1440)])
    }

    @Test("bad opening hours are refused, saying which entry and what is allowed", arguments: [
        ("", "entry 1 is empty"),
        ("mon-fri 08:00-20:00,", "entry 2 is empty"),
        ("mon-fri", "entry 1 \"mon-fri\" is not `DAYS HH:MM-HH:MM`"),
        ("mon-fri 08:00-20:00 extra", "is not `DAYS HH:MM-HH:MM`"),
        ("monday 08:00-20:00", "\"monday\" is not a day; use mon, tue, wed, thu, fri, sat, sun"),
        ("sat-mon 08:00-20:00", "entry 1: sat-mon runs backwards"),
        ("mon-tue-wed 08:00-20:00", "are not one day or a range"),
        ("mon 8:00-20:00", "\"8:00\" is not a time 00:00 to 23:59"),
        ("mon 08:00-24:01", "\"24:01\" is not a time 00:01 to 24:00"),
        ("mon 08:60-20:00", "\"08:60\" is not a time"),
        ("mon 22:00-02:00", "ends before it starts; split hours past midnight"),
        ("mon 08:00-08:00", "ends before it starts"),
        ("mon-fri 08:00-12:00, wed 11:00-13:00", "entry 2 overlaps wed 08:00-12:00"),
        ("mon 08:00", "hours \"08:00\" are not `HH:MM-HH:MM`"),
    ])
    func badOpeningHours(text: String, says: String) {
        #expect {
            _ = try OpeningHours(parsing: text)
        } throws: { error in
            let message = (error as? OrganisationError)?.description ?? ""
            return message.contains(says) && message.contains("expected e.g. `mon-fri 08:00-20:00, sat 09:00-18:00`")
        }
    }

    @Test("opening hours are bounded in length and entries")
    func bounds() {
        #expect(throws: OrganisationError.self) { _ = try OpeningHours(parsing: String(repeating: "mon 08:00-09:00, ", count: 40)) }
        #expect(throws: OrganisationError.self) { _ = try OpeningHours(parsing: Array(repeating: "x", count: 70).joined(separator: ",")) }
    }

    @Test("a site's time zone must be in the tz database; ids are letters, digits, . _ -")
    func site() throws {
        let site = try Site(id: "store-1", region: "north", timeZone: "Europe/Helsinki", openingHours: "mon-sat 09:00-21:00")
        #expect(site.openingHours == "mon-sat 09:00-21:00")
        #expect(try Site(id: "s", region: "r", timeZone: "UTC", openingHours: nil).openingHours == nil)
        #expect {
            _ = try Site(id: "s", region: "r", timeZone: "Europe/Atlantis", openingHours: nil)
        } throws: { error in
            let message = (error as? OrganisationError)?.description ?? ""
            return message.hasPrefix("time zone \"Europe/Atlantis\" is not in the tz database (")
                && message.hasSuffix("); use an IANA name such as Europe/Helsinki")
        }
        #expect(throws: OrganisationError.self) { _ = try Site(id: "s", region: "r", timeZone: "../../etc/passwd", openingHours: nil) }
        #expect(throws: OrganisationError("site id \"a b\" may hold only letters, digits, '.', '_' and '-'")) {
            _ = try Site(id: "a b", region: "r", timeZone: "UTC", openingHours: nil)
        }
        #expect(throws: OrganisationError("region must not be empty")) { _ = try Site(id: "s", region: "", timeZone: "UTC", openingHours: nil) }
        #expect(throws: OrganisationError.self) { _ = try Site(id: "s", region: "r", timeZone: "UTC", openingHours: "always") }
    }
}
