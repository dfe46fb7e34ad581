import Foundation
import SmileyConfig
#if canImport(Glibc)
import Glibc
#endif

/// A configured line found on a chip.
public struct ResolvedLine: Sendable, Hashable {
    /// As written in the configuration.
    public var spec: LineSpec
    /// Who wants it, for messages: `button very-happy`, `ack-line`.
    public var user: String
    /// `/dev/gpiochip0`.
    public var chipPath: String
    public var chipName: String
    public var chipLabel: String
    public var offset: Int
    /// The line's name on the chip ("" when unnamed).
    public var lineName: String

    /// `gpiochip0:5 [pinctrl-bcm2711] "GPIO5"`.
    public var location: String {
        "\(chipName):\(offset) [\(chipLabel)]" + (lineName.isEmpty ? "" : " \"\(lineName)\"")
    }
}

/// Finds configured lines on the chips of a ``GPIOChipScan``:
/// - a name (`GPIO17`) is searched on every chip; found on two chips, it must be written
///   `chip:offset` instead;
/// - `chip:offset`, where chip is a path (`/dev/gpiochip0`), a name (`gpiochip0`) or a label
///   (`pinctrl-rp1`, `pinctrl-bcm2711`): the label is what stays the same when a kernel
///   renumbers the chips (the Raspberry Pi 5's header chip moved from gpiochip4 to gpiochip0);
/// - a bare offset works only when there is exactly one chip.
public struct GPIOLineResolver: Sendable {
    public let scan: GPIOChipScan

    public init(scan: GPIOChipScan) {
        self.scan = scan
    }

    public func resolve(_ spec: LineSpec, user: String) throws(InputError) -> ResolvedLine {
        switch spec {
        case .name(let name):
            let hits = scan.chips.compactMap { chip -> (GPIOChipDescription, Int)? in
                guard let offset = chip.lineNames.firstIndex(of: name) else { return nil }
                return (chip, offset)
            }
            if hits.count > 1 {
                // Labels survive renumbering; use them when they tell the chips apart.
                let labels = Set(hits.map(\.0.label))
                let useLabels = labels.count == hits.count && !labels.contains("")
                throw .gpioAmbiguousLine(line: name, user: user,
                                         candidates: hits.map { "\(useLabels ? $0.0.label : $0.0.name):\($0.1)" })
            }
            guard let (chip, offset) = hits.first else {
                try failOnUnreadableChips()
                throw .gpioLineNotFound(line: name, user: user, available: scan.availableDescription)
            }
            return line(spec, user: user, chip: chip, offset: offset)

        case .chipOffset(let chipText, let offset):
            let matches = scan.chips.filter { Self.chip($0, isCalled: chipText) }
            if matches.count > 1 {
                throw .gpioAmbiguousLine(line: spec.description, user: user,
                                         candidates: matches.map { "\($0.name):\(offset)" })
            }
            guard let chip = matches.first else {
                if let denied = scan.unopenable.first(where: { Self.path($0.path, isCalled: chipText) }) {
                    throw Self.openError(path: denied.path, errno: denied.errno)
                }
                try failOnUnreadableChips()
                throw .gpioChipNotFound(line: spec.description, user: user, available: scan.availableDescription)
            }
            guard offset < chip.lineNames.count else {
                throw .gpioOffsetOutOfRange(line: spec.description, user: user, chip: "\(chip.name) [\(chip.label)]",
                                            lineCount: chip.lineNames.count)
            }
            return line(spec, user: user, chip: chip, offset: offset)

        case .offset(let offset):
            if scan.chips.count > 1 {
                throw .gpioAmbiguousLine(line: spec.description, user: user,
                                         candidates: scan.chips.filter { offset < $0.lineNames.count }
                                            .map { "\($0.name):\(offset)" })
            }
            guard let chip = scan.chips.first else {
                try failOnUnreadableChips()
                throw .gpioUnavailable(reason: "no GPIO chip in \(scan.devDirectory) for line \(offset) (\(user))")
            }
            guard offset < chip.lineNames.count else {
                throw .gpioOffsetOutOfRange(line: spec.description, user: user, chip: "\(chip.name) [\(chip.label)]",
                                            lineCount: chip.lineNames.count)
            }
            return line(spec, user: user, chip: chip, offset: offset)
        }
    }

    private func line(_ spec: LineSpec, user: String, chip: GPIOChipDescription, offset: Int) -> ResolvedLine {
        ResolvedLine(spec: spec, user: user, chipPath: chip.path, chipName: chip.name, chipLabel: chip.label,
                     offset: offset, lineName: chip.lineNames[offset])
    }

    /// When a line was not found and some chips could not be opened, the line may be on one of
    /// them: say why they could not be read rather than "not found".
    private func failOnUnreadableChips() throws(InputError) {
        if let first = scan.unopenable.first {
            throw Self.openError(path: first.path, errno: first.errno)
        }
        if scan.chips.isEmpty {
            throw .gpioUnavailable(reason: "no GPIO character device (gpiochip*) in \(scan.devDirectory): "
                + "this system has no GPIO chip, or the kernel lacks GPIO_CDEV")
        }
    }

    static func openError(path: String, errno code: Int32) -> InputError {
        if code == EACCES || code == EPERM { return GPIOErrors.permissionDenied(device: path) }
        return .system(source: "gpio", call: "open \(path)", errno: code)
    }

    static func chip(_ chip: GPIOChipDescription, isCalled text: String) -> Bool {
        text == chip.name || text == chip.label || path(chip.path, isCalled: text)
    }

    static func path(_ path: String, isCalled text: String) -> Bool {
        text == path || "/dev/" + text == path || (text.hasPrefix("/") && (text as NSString).standardizingPath == path)
            || (path as NSString).lastPathComponent == text
    }
}
