/// One hour on the terminal's wall clock, as the store groups presses: the local hour (counted
/// from 1970-01-01 00:00 local, i.e. `(recorded_at + utc_offset·1000) / 3 600 000`) and the UTC
/// offset in force. The offset tells the two 03:00 hours of an autumn daylight-saving night apart.
public struct HourSlot: Sendable, Hashable, Comparable {
    /// Hours since 1970-01-01 00:00 on the local wall clock.
    public var localHour: Int64
    public var utcOffsetSeconds: Int

    public init(localHour: Int64, utcOffsetSeconds: Int) {
        self.localHour = localHour
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The slot of an instant as a sample stores it.
    public init(recordedAtMs: Int64, utcOffsetSeconds: Int) {
        self.init(localHour: CivilCalendar.floorDiv(recordedAtMs + Int64(utcOffsetSeconds) * 1000, CivilCalendar.msPerHour),
                  utcOffsetSeconds: utcOffsetSeconds)
    }

    public var day: LocalDay {
        LocalDay(dayNumber: Int(CivilCalendar.floorDiv(localHour, 24)))
    }

    /// 0 … 23.
    public var hourOfDay: Int { Int(localHour - CivilCalendar.floorDiv(localHour, 24) * 24) }

    /// The UTC instant the hour starts (ms since 1970).
    public var utcStartMs: Int64 { localHour * CivilCalendar.msPerHour - Int64(utcOffsetSeconds) * 1000 }

    /// Ordered as time passes: by the UTC start, then the offset.
    public static func < (a: HourSlot, b: HourSlot) -> Bool {
        (a.utcStartMs, a.utcOffsetSeconds) < (b.utcStartMs, b.utcOffsetSeconds)
    }

    /// `08:00`.
    public var clockLabel: String { RFC3339.padded(hourOfDay, 2) + ":00" }

    /// `2026-11-22T08:00:00+02:00`.
    public var isoStart: String {
        "\(day)T\(RFC3339.padded(hourOfDay, 2)):00:00\(RFC3339.offsetText(utcOffsetSeconds))"
    }

    /// `+02:00`, `-05:00`, `+05:30`.
    public static func offsetText(_ seconds: Int) -> String { RFC3339.offsetText(seconds) }
}
