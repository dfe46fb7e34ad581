/// `input:` — where presses come from: GPIO lines, the keyboard (a demo), or a replayed gpiomon trace.
public enum InputKind: String, Sendable, Equatable, CaseIterable {
    case gpio
    case keyboard
    case replay
}
