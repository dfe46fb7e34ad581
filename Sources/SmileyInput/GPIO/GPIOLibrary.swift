import CGPIOD
import Foundation
import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Which libgpiod this build talks to (decided at compile time by the gpiod.h it saw).
public enum GPIOLibrary {
    /// 1 (libgpiod 1.6, bookworm) or 2 (libgpiod 2.x, trixie).
    public static var apiMajor: Int { Int(smiley_gpiod_api_major()) }
    /// The library's version string, e.g. `1.6.3` or `2.3`.
    public static var version: String { String(cString: smiley_gpiod_version()) }
    /// True on 2.x: the kernel debounces the requested lines (the v1 uAPI of 1.6 cannot).
    public static var kernelDebounce: Bool { smiley_gpiod_kernel_debounce() == 1 }
}
