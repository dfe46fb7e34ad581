import Foundation
#if canImport(Glibc)
import Glibc
#endif

// What the benchmarks share: percentiles, their configuration file, running smileyd.

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
    return sorted[max(0, index)]
}

func writeConfig(work: String, name: String, input: String) throws -> String {
    let path = "\(work)/\(name).yaml"
    try """
        terminal: bench
        site: bench
        input: \(input)
        database: \(name).sqlite
        runtime-directory: run-\(name)
        buttons:
          - name: very-unhappy
            line: GPIO5
          - name: unhappy
            line: GPIO6
          - name: happy
            line: GPIO13
          - name: very-happy
            line: GPIO19
        """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Runs a program and returns its exit status and resource usage (peak RSS in ru_maxrss, KiB).
func spawnAndWait(_ path: String, _ arguments: [String], stderrPath: String) throws -> (Int32, rusage) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let result = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard result == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(result)))") }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exitStatus, usage)
}
