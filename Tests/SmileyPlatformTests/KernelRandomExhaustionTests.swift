import Foundation
import Testing
@testable import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Ids when file descriptors have run out: Foundation's `UUID()` reads /dev/urandom and gives
/// 00000000-0000-4000-8000-000000000000 then (the child prints its two as well, for the record). The test runs this test binary again as a child that takes away every
/// descriptor (RLIMIT_NOFILE 0) before making ids, so the runner itself keeps its descriptors.
@Suite("ids when descriptors run out")
struct KernelRandomExhaustionTests {
    static let childVariable = "SMILEY_FD_EXHAUSTION_CHILD"

    /// The child's part (only when the parent test starts it): no descriptor can be opened, then
    /// two kernel ids and two Foundation ids, written to the standard output already open.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childVariable] != nil, "the child half of idsWithoutDescriptors"))
    func childMakesIds() {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = 0
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let probe = open("/dev/null", O_RDONLY)
        let probeErrno = errno
        let kernel = [KernelRandom.uuid(), KernelRandom.uuid()]
        let foundation = [UUID(), UUID()]
        let text = "probe \(probe) \(probeErrno)\nkernel \(kernel[0]) \(kernel[1])\nfoundation \(foundation[0]) \(foundation[1])\n"
        _ = text.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
    }

    @Test("with no descriptor left, ids still come from the kernel: random, distinct, never all zero")
    func idsWithoutDescriptors() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["--testing-library", "swift-testing", "--filter", "childMakesIds"]
        process.environment = ProcessInfo.processInfo.environment.merging([Self.childVariable: "1"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let ended = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.finish() }
        }
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        for await _ in ended {}
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let probe = try #require(lines.first { $0.hasPrefix("probe ") }, "\(lines)")
        #expect(probe == "probe -1 \(EMFILE)", "the child could still open files: \(probe)")
        let kernel = try #require(lines.first { $0.hasPrefix("kernel ") }).split(separator: " ").dropFirst().map(String.init)
        let zero = "00000000-0000-4000-8000-000000000000"
        #expect(kernel.count == 2 && kernel[0] != kernel[1] && !kernel.contains(zero), "\(kernel)")
        #expect(kernel.allSatisfy { UUID(uuidString: $0) != nil && Array($0)[14] == "4" }, "\(kernel)")
    }
}
