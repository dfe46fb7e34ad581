import Foundation

/// Exponential backoff with full jitter: the n-th consecutive failure waits
/// random(0, min(cap, initial · 2^(n−1))). Retries never stop; the cap bounds the wait.
public struct BackoffPolicy: Sendable, Equatable {
    public var initial: Duration
    public var cap: Duration

    public init(initial: Duration, cap: Duration) {
        self.initial = initial
        self.cap = max(cap, initial)
    }

    /// The ceiling of the wait after `failures` consecutive failures (1 = the first).
    public func ceiling(failures: Int) -> Duration {
        let capMs = Self.milliseconds(cap)
        let initialMs = max(1, Self.milliseconds(initial))
        let exponent = min(max(failures - 1, 0), 40)
        let grown = initialMs > capMs >> Int64(exponent) ? capMs : initialMs << Int64(exponent)
        return .milliseconds(min(capMs, grown))
    }

    /// A wait for the `failures`-th consecutive failure.
    public func delay<G: RandomNumberGenerator>(failures: Int, using generator: inout G) -> Duration {
        let ceiling = Self.milliseconds(ceiling(failures: failures))
        return .milliseconds(Int64.random(in: 0...ceiling, using: &generator))
    }

    public func delay(failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(failures: failures, using: &generator)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// The `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// Longest wait honoured; a larger value is taken as this.
    public static let longest: Duration = .seconds(86_400)

    /// The wait the header asks for, from `nowMs`; nil when absent or unreadable. A date in the
    /// past means "now" (zero).
    public static func parse(_ value: String?, nowMs: Int64) -> Duration? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            guard let seconds = Int64(text) else { return longest }
            return min(.seconds(seconds), longest)
        }
        guard let date = httpDate(text) else { return nil }
        let waitMs = Int64((date.timeIntervalSince1970 * 1000).rounded()) - nowMs
        return min(.milliseconds(max(0, waitMs)), longest)
    }

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), and the obsolete RFC 850 and asctime forms.
    static func httpDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// `date` as an IMF-fixdate, for receivers and tests.
    public static func httpDateString(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
