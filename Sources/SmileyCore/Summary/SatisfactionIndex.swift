/// The satisfaction index, 0–100: the mean of the presses with the buttons mapped evenly onto 0..100.
///
/// Worked check (HappyOrNot's published example): very-happy 126, happy 60, unhappy 16,
/// very-unhappy 17 → 78.23. Five buttons 51, 23, 12, 2, 4 (best to worst) → 81.25.
public enum SatisfactionIndex {
    /// - Parameter counts: presses per button, index 0 = most negative. The scale is `counts.count`.
    /// - Returns: nil when there are no presses (an index of nothing is not 0).
    public static func compute(counts: [Int]) -> Double? {
        let total = counts.reduce(0, +)
        guard total > 0, counts.count > 1 else { return nil }
        var sum = 0.0
        for (index, count) in counts.enumerated() {
            sum += Double(count) * Scale.value(ofButton: index, scale: counts.count)
        }
        return sum / Double(total)
    }

    /// Rounded to one decimal, as shown and as written in JSON.
    public static func rounded(_ value: Double) -> Double {
        (value * 10).rounded() / 10
    }
}
