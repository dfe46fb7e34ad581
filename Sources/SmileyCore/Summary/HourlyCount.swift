/// Presses of one hour slot, one button and one misuse state, as the store counts them.
public struct HourlyCount: Sendable, Hashable {
    public var slot: HourSlot
    public var button: Int
    public var misuse: MisuseReason?
    public var count: Int
    /// How many of them raised a held/stuck warning.
    public var held: Int

    public init(slot: HourSlot, button: Int, misuse: MisuseReason?, count: Int, held: Int = 0) {
        self.slot = slot
        self.button = button
        self.misuse = misuse
        self.count = count
        self.held = held
    }
}
