import SmileyCore

extension Site {
    /// Whether the site is open at `instantMs` by its opening hours in its own zone; nil when it has
    /// no hours or its zone cannot be read now (the caller treats unknown as open).
    public func isOpen(atMs instantMs: Int64, zones: inout [String: Zone?]) -> Bool? {
        guard let text = openingHours, let hours = try? OpeningHours(parsing: text) else { return nil }
        if zones[timeZone] == nil { zones[timeZone] = .some(Zone(identifier: timeZone)) }
        guard let zone = zones[timeZone] ?? nil else { return nil }
        let localMs = instantMs + Int64(zone.secondsFromUTC(atMs: instantMs)) * 1000
        let day = LocalDay(containing: instantMs, in: zone)
        guard let weekday = OpeningHours.Day(rawValue: day.isoWeekday) else { return nil }
        let minute = Int((localMs - day.localStartMs) / 60_000)
        return hours.isOpen(weekday, minute: minute)
    }
}
