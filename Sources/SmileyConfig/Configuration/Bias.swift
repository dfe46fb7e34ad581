/// A button line's `bias`: the pull resistor the kernel sets on it.
public enum Bias: String, Sendable, Equatable, CaseIterable {
    case pullUp = "pull-up"
    case pullDown = "pull-down"
    case disabled = "disabled"
    case asIs = "as-is"
}
