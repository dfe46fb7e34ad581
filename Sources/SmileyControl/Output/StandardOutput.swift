import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes to a file descriptor with write(2), so that a closed pipe or a full disk becomes an
/// error with a status instead of a crash, and big outputs go out in few system calls.
enum StandardOutput {
    static func write(_ text: String, fd: Int32 = STDOUT_FILENO) throws(ControlError) {
        var text = text
        let result: Int32 = text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
        if result != 0 {
            throw ControlError("cannot write the output: \(String(cString: strerror(result)))", exitCode: 74)
        }
    }

    static func error(_ text: String) {
        try? write(text, fd: STDERR_FILENO)
    }
}
