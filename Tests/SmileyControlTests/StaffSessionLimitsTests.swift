import Foundation
import Testing
@testable import SmileyControl
#if canImport(Glibc)
import Glibc
#endif

/// The session slots without sshd: as many claims as slots, then busy; a slot is free again once
/// the descriptor holding it closes (the session's smileyctl ended).
@Suite("staff session slots")
struct StaffSessionLimitsTests {
    @Test("N sessions at once, the next is busy, an ended one frees its slot")
    func slots() throws {
        // A uid no real user has, so no running gate shares these names.
        let uid = uid_t(3_000_000_000 + UInt32.random(in: 0..<1_000_000))
        var held: [Int32] = []
        defer { for fd in held { close(fd) } }
        for _ in 0..<3 {
            guard case .success(let fd) = StaffSessionLimits.claimSlot(uid: uid, maxSessions: 3) else {
                Issue.record("a free slot was refused")
                return
            }
            held.append(fd)
        }
        #expect(StaffSessionLimits.claimSlot(uid: uid, maxSessions: 3)
            == .failure(.busy(StaffSessionLimits.Busy(maxSessions: 3))))
        #expect(StaffSessionLimits.Busy(maxSessions: 3).description
            .hasPrefix("3 staff sessions are running already (at most 3 at once)"))
        close(held.remove(at: 1))
        guard case .success(let again) = StaffSessionLimits.claimSlot(uid: uid, maxSessions: 3) else {
            Issue.record("the freed slot was not claimed again")
            return
        }
        held.append(again)
        // Another user's slots are its own.
        guard case .success(let other) = StaffSessionLimits.claimSlot(uid: uid + 1, maxSessions: 3) else {
            Issue.record("another user's slot was refused")
            return
        }
        held.append(other)
    }

    @Test("the slot survives exec: it is not close-on-exec")
    func inherited() throws {
        let uid = uid_t(3_100_000_000 + UInt32.random(in: 0..<1_000_000))
        guard case .success(let fd) = StaffSessionLimits.claimSlot(uid: uid, maxSessions: 1) else {
            Issue.record("a free slot was refused")
            return
        }
        defer { close(fd) }
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC == 0)
    }
}
