import Foundation
import SmileySyncControl
import Testing

/// `SyncLock.heldElsewhere`: how smileyctl tells a starting daemon (it holds the sync lock, its
/// socket is not up yet) from no uploader at all, without writing anything.
@Suite("the sync lock, probed read-only")
struct SyncLockProbeTests {
    @Test("no lock file: nobody holds it, and no file is created")
    func noFile() {
        let folder = TemporaryFolder()
        let database = folder.file("smiley.sqlite")
        #expect(SyncLock.heldElsewhere(database: database) == nil)
        #expect(!FileManager.default.fileExists(atPath: SyncLock.path(forDatabase: database)))
    }

    @Test("held: busy, with the holder's pid; released: free, and the probe does not keep it")
    func heldThenReleased() throws {
        let folder = TemporaryFolder()
        let database = folder.file("smiley.sqlite")
        var lock: SyncLock? = try SyncLock(database: database)
        guard case .busy(let path, let holder)? = SyncLock.heldElsewhere(database: database) else {
            Issue.record("the probe did not see the lock")
            return
        }
        #expect(path == SyncLock.path(forDatabase: database))
        #expect(holder == getpid())
        withExtendedLifetime(lock) {}
        lock = nil
        #expect(SyncLock.heldElsewhere(database: database) == nil)
        // The probe let go: the lock can be taken.
        #expect(throws: Never.self) { _ = try SyncLock(database: database) }
    }
}
