#if canImport(Glibc)
import Glibc
#endif

extension KeyboardSource {
    /// True when standard input is the null device (/dev/null, character device 1:3): nothing can
    /// ever be typed there. A terminal, a pipe or a file is fine.
    public static func standardInputIsNull(_ descriptor: Int32 = STDIN_FILENO) -> Bool {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFCHR else { return false }
        var null = stat()
        guard stat("/dev/null", &null) == 0 else { return false }
        return info.st_rdev == null.st_rdev
    }
}
