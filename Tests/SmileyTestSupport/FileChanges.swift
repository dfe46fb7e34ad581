import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells a test when files in some folders change (inotify: written, created, moved into place),
/// so that it can await what another process records there (a status file, a database) instead of
/// polling. A folder that does not exist yet is watched from its parent until it appears.
public final class FileChanges: Sendable {
    public struct WatchFailed: Error, CustomStringConvertible {
        public let description: String
    }

    /// How many batches of changes the kernel has reported so far.
    public var count: Observed<Int> { watch.count }
    private let watch: Watch

    public init(folders: [String]) throws {
        watch = try Watch(folders: folders)
        let watch = self.watch
        let thread = Thread { watch.readEvents() }
        thread.name = "smiley-test-file-changes"
        thread.start()
    }

    /// The reading thread ends with the watcher.
    deinit { watch.stop() }

    /// Counts as a change: a waiting ``until(upTo:_:)`` checks its condition again (for one that
    /// also depends on something other than the files).
    public func recheck() { count.update { $0 += 1 } }

    /// Checks `condition` now and again after each reported change; true once it holds, false if
    /// it still does not after `bound` (a failure guard: a passing test never waits for it).
    public func until(upTo bound: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + bound
        while true {
            let seen = count.value
            if try await condition() { return true }
            let left = deadline - ContinuousClock.now
            if left <= .zero { return false }
            if await count.wait(upTo: left, until: { $0 > seen }) == nil { return try await condition() }
        }
    }

    /// The inotify descriptor and the thread's side: the thread holds this, not the watcher.
    private final class Watch: @unchecked Sendable {
        let count = Observed(0)
        private let fd: Int32
        private let stopPipe: [Int32]
        private let lock = NSLock()
        private var pending: [String]

        init(folders: [String]) throws {
            fd = inotify_init1(Int32(IN_CLOEXEC))
            guard fd >= 0 else { throw WatchFailed(description: "inotify_init1: \(String(cString: strerror(errno)))") }
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else {
                close(fd)
                throw WatchFailed(description: "pipe: \(String(cString: strerror(errno)))")
            }
            stopPipe = fds
            pending = folders
            addWatches()
        }

        func stop() { close(stopPipe[1]) }

        /// Watches each pending folder that exists, and the nearest existing parent of the others.
        private func addWatches() {
            lock.withLock {
                let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE)
                var still: [String] = []
                for folder in pending {
                    if inotify_add_watch(fd, folder, mask) >= 0 { continue }
                    still.append(folder)
                    var parent = (folder as NSString).deletingLastPathComponent
                    while !parent.isEmpty, parent != "/", inotify_add_watch(fd, parent, mask) < 0 {
                        parent = (parent as NSString).deletingLastPathComponent
                    }
                }
                pending = still
            }
        }

        func readEvents() {
            defer {
                close(fd)
                close(stopPipe[0])
            }
            var buffer = [UInt8](repeating: 0, count: 16384)
            while true {
                var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: stopPipe[0], events: Int16(POLLIN), revents: 0)]
                let result = poll(&fds, 2, -1)
                if result < 0 {
                    if errno == EINTR { continue }
                    return
                }
                if fds[1].revents != 0 { return }
                let read = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if read < 0, errno == EINTR { continue }
                if read <= 0 { return }
                if lock.withLock({ !pending.isEmpty }) { addWatches() }
                count.update { $0 += 1 }
            }
        }
    }
}
