import CGPIOD
import Foundation
import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

/// An open GPIO character device. Not thread-safe: one owner at a time.
final class GPIOChip {
    let path: String
    let handle: OpaquePointer

    /// Opens the device; throws the failed call's errno.
    init(path: String) throws(SystemCallError) {
        self.path = path
        guard let handle = smiley_gpio_chip_open(path) else {
            throw SystemCallError(call: "open \(path)", errno: errno)
        }
        self.handle = handle
    }

    deinit { smiley_gpio_chip_close(handle) }

    func describe() throws(SystemCallError) -> GPIOChipDescription {
        var info = smiley_gpio_chip_info()
        guard smiley_gpio_chip_get_info(handle, &info) == 0 else {
            throw SystemCallError(call: "chip info \(path)", errno: errno)
        }
        var names: [String] = []
        names.reserveCapacity(Int(info.num_lines))
        for offset in 0..<info.num_lines {
            names.append((try? lineInfo(Int(offset)).name) ?? "")
        }
        return GPIOChipDescription(path: path, name: Self.text(info.name), label: Self.text(info.label), lineNames: names)
    }

    struct LineInfo {
        var name: String
        var consumer: String
        var used: Bool
        var output: Bool
    }

    func lineInfo(_ offset: Int) throws(SystemCallError) -> LineInfo {
        var info = smiley_gpio_line_info()
        guard smiley_gpio_chip_get_line_info(handle, UInt32(offset), &info) == 0 else {
            throw SystemCallError(call: "line info \(path):\(offset)", errno: errno)
        }
        return LineInfo(name: Self.text(info.name), consumer: Self.text(info.consumer),
                        used: info.used != 0, output: info.output != 0)
    }

    /// A fixed C char array as a String.
    static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
