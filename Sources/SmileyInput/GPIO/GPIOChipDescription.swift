import CGPIOD
import Foundation
import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

/// What a GPIO chip is called and what its lines are called, as read from its character device.
public struct GPIOChipDescription: Sendable, Hashable {
    /// `/dev/gpiochip0`.
    public var path: String
    /// `gpiochip0`.
    public var name: String
    /// `pinctrl-bcm2711`, `pinctrl-rp1`, `gpio-sim.0-node0`.
    public var label: String
    /// Line names by offset; "" for an unnamed line.
    public var lineNames: [String]

    public init(path: String, name: String, label: String, lineNames: [String]) {
        self.path = path
        self.name = name
        self.label = label
        self.lineNames = lineNames
    }

    /// `gpiochip0 [pinctrl-bcm2711] 58 lines: GPIO0 GPIO1 …`.
    var summary: String {
        let named = lineNames.filter { !$0.isEmpty }
        var text = "\(name) [\(label)] \(lineNames.count) line\(lineNames.count == 1 ? "" : "s")"
        if named.isEmpty {
            text += ", none named (use \(name):OFFSET)"
        } else {
            let shown = named.prefix(64)
            text += ": " + shown.joined(separator: " ") + (named.count > shown.count ? " …" : "")
        }
        return text
    }
}
