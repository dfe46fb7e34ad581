import CSmileySystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Random words from the kernel's generator through getrandom(2): no file descriptor is needed.
public enum KernelRandom {
    public static func words(_ count: Int) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: count)
        let filled = words.withUnsafeMutableBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let got = smiley_getrandom(buffer.baseAddress! + offset, UInt(buffer.count - offset))
                if got < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += Int(got)
            }
            return true
        }
        if !filled {
            // getrandom(2) exists since Linux 3.17; the standard library's generator is the fallback.
            var system = SystemRandomNumberGenerator()
            for index in words.indices { words[index] = system.next() }
        }
        return words
    }

    /// A random (version 4) UUID: batch keys and other ids. Foundation's `UUID()` reads
    /// /dev/urandom and gave all-zero ids when file descriptors ran out.
    public static func uuid() -> UUID {
        let words = words(2)
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            b[i] = UInt8(truncatingIfNeeded: words[0] >> (8 * UInt64(i)))
            b[8 + i] = UInt8(truncatingIfNeeded: words[1] >> (8 * UInt64(i)))
        }
        b[6] = 0x40 | (b[6] & 0x0F)
        b[8] = 0x80 | (b[8] & 0x3F)
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
