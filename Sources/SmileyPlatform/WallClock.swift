import SmileyCore

/// The system's wall clock in milliseconds since 1970 (UTC): ``SystemTime``'s, for code with no
/// injected ``TimeSource``.
public enum WallClock {
    public static func nowMs() -> Int64 { SystemTime().wallNowMs() }
}
