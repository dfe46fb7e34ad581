/// Buttons are ordered from most negative (index 0) to most positive; 2 to 5 of them.
public enum Scale {
    public static let allowedButtonCounts = 2...5

    /// The button's value on the 0...100 satisfaction scale: buttons mapped evenly onto 0..100
    /// (4 buttons: 0, 33.3, 66.7, 100; 5 buttons: 0, 25, 50, 75, 100).
    public static func value(ofButton index: Int, scale: Int) -> Double {
        guard scale > 1 else { return 0 }
        return Double(index) * 100.0 / Double(scale - 1)
    }
}
