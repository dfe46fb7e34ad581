import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where output goes and whether it may be coloured: only on a terminal, and never with NO_COLOR.
public struct Terminal: Sendable {
    public var colors: Bool
    public var width: Int

    public init(colors: Bool, width: Int = 80) {
        self.colors = colors
        self.width = width
    }

    /// Standard output as it is now.
    public static func standardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> Terminal {
        let tty = isatty(STDOUT_FILENO) == 1
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        var width = 80
        if tty {
            var size = winsize()
            if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { width = Int(size.ws_col) }
        } else if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 20 {
            width = columns
        }
        return Terminal(colors: tty && !noColor && environment["TERM"] != "dumb", width: width)
    }

    public func bold(_ text: String) -> String { paint(text, "1") }
    public func dim(_ text: String) -> String { paint(text, "2") }
    public func red(_ text: String) -> String { paint(text, "31") }
    public func green(_ text: String) -> String { paint(text, "32") }
    public func yellow(_ text: String) -> String { paint(text, "33") }

    private func paint(_ text: String, _ code: String) -> String {
        colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
