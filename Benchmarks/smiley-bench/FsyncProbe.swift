import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The disk itself: 4 KiB write + fsync, in the benchmark's folder.
enum FsyncProbe {
    struct Result { var p50: Double; var p99: Double }

    static func run(folder: String, count: Int) throws -> Result {
        let path = folder + "/fsync-probe"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(path)") }
        defer { close(fd); unlink(path) }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        var times: [Double] = []
        for _ in 0..<count {
            let start = MonotonicClock.nowNs()
            _ = block.withUnsafeBytes { write(fd, $0.baseAddress, 4096) }
            fsync(fd)
            times.append(Double(MonotonicClock.nowNs() - start) / 1e6)
        }
        times.sort()
        return Result(p50: percentile(times, 0.5), p99: percentile(times, 0.99))
    }
}
