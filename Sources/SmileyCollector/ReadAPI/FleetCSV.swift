/// What the fleet answers' CSV share: numbers written the same way everywhere.
enum FleetCSV {
    /// One decimal as computed, empty for none (an index of too few samples).
    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        return String(value)
    }

    static func number(_ value: Int?) -> String { value.map(String.init) ?? "" }
}
