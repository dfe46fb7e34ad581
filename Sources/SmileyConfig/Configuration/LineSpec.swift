import Foundation

/// A GPIO line as the config names it.
public enum LineSpec: Sendable, Hashable, CustomStringConvertible {
    /// A line name searched across all chips, e.g. `GPIO17`.
    case name(String)
    /// `chip:offset`, chip being a path (`/dev/gpiochip0`), a name (`gpiochip0`) or a label (`pinctrl-rp1`).
    case chipOffset(chip: String, offset: Int)
    /// A bare offset, e.g. `5` (on the only chip, or in a replayed trace).
    case offset(Int)

    /// Parses `GPIO17`, `gpiochip0:5`, `pinctrl-rp1:5`, `/dev/gpiochip0:5` or `5`.
    /// Returns nil for an empty string or a bad offset.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let value = Int(trimmed) {
            guard value >= 0 else { return nil }
            self = .offset(value)
            return
        }
        if let colon = trimmed.lastIndex(of: ":") {
            let chip = String(trimmed[..<colon])
            let offsetText = String(trimmed[trimmed.index(after: colon)...])
            guard !chip.isEmpty, let offset = Int(offsetText), offset >= 0 else { return nil }
            self = .chipOffset(chip: chip, offset: offset)
            return
        }
        self = .name(trimmed)
    }

    public var description: String {
        switch self {
        case .name(let name): name
        case .chipOffset(let chip, let offset): "\(chip):\(offset)"
        case .offset(let offset): "\(offset)"
        }
    }

    /// The offset a replayed trace uses for this line: the explicit offset, or N for a
    /// Raspberry Pi style name `GPION` (the header chip numbers its lines so).
    public var traceOffset: Int? {
        switch self {
        case .chipOffset(_, let offset), .offset(let offset):
            return offset
        case .name(let name):
            guard name.uppercased().hasPrefix("GPIO"), let n = Int(name.dropFirst(4)), n >= 0 else { return nil }
            return n
        }
    }
}
