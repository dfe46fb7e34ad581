import Foundation

/// Time zones by IANA id, dependable in statically linked binaries too.
///
/// With `--static-swift-stdlib`, `TimeZone(identifier:)` answers nil for zone ids unless the
/// binary also references NSTimeZone (the linker then keeps Foundation's zone database code);
/// going through NSTimeZone as a fallback does both.
public enum TimeZones {
    public static func named(_ identifier: String) -> TimeZone? {
        if let zone = TimeZone(identifier: identifier) { return zone }
        return NSTimeZone(name: identifier).map { $0 as TimeZone }
    }

    /// The system's zone (TZ, else /etc/localtime), by identifier.
    public static var system: TimeZone {
        named(TimeZone.current.identifier) ?? TimeZone.current
    }
}
