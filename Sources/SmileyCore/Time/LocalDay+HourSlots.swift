extension LocalDay {
    /// The hours this day has on a clock in `zone`, in order: 24 on most days, 23 on the day
    /// daylight saving starts (the skipped hour is missing) and 25 on the day it ends (the
    /// repeated hour twice, with its two offsets).
    public func hourSlots(in zone: Zone) -> [HourSlot] {
        let range = interval(in: zone)
        var slots: [HourSlot] = []
        var instant = range.lowerBound
        while instant < range.upperBound {
            let offset = zone.secondsFromUTC(atMs: instant)
            let slot = HourSlot(recordedAtMs: instant, utcOffsetSeconds: offset)
            if slot.day == self, slots.last != slot { slots.append(slot) }
            instant += CivilCalendar.msPerHour
        }
        return slots
    }
}
