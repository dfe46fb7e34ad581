import Foundation
import Testing
@testable import SmileySync

/// Runs a command; true when it exits 0.
@discardableResult
func shell(_ arguments: [String]) -> Bool {
    (try? runProcess("/usr/bin/env", arguments))?.status == 0
}

/// The same for async tests, on a thread of its own: Swift's cooperative threads (two on a
/// two-core machine) stay free for the tasks that deliver what the test awaits.
func command(_ arguments: [String]) async -> Bool {
    (try? await runProcessAsync("/usr/bin/env", arguments))?.status == 0
}

/// Whether this machine lets us make network namespaces joined by veth pairs (root, iproute2).
let canMakeNetworkNamespaces: Bool = {
    guard getuid() == 0 else { return false }
    let name = "smiley-probe-\(getpid())"
    guard shell(["ip", "netns", "add", name]) else { return false }
    defer { shell(["ip", "netns", "del", name]) }
    return shell(["ip", "-n", name, "link", "add", "p0", "type", "veth", "peer", "name", "p1"])
}()

@Suite("Netlink watcher on a real kernel", .serialized)
struct NetlinkWatcherTests {
    @Test("links coming up and routes being added in a network namespace are reported, with nothing in between",
          .enabled(if: canMakeNetworkNamespaces, "needs root and `ip netns`"))
    func linkAndRouteEvents() async throws {
        let name = "smiley-nl-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        #expect(await command(["ip", "netns", "add", name]))
        defer { shell(["ip", "netns", "del", name]) }
        let watcher = try NetlinkWatcher(networkNamespace: "/run/netns/\(name)")
        let seen = ChangeLog()
        let listener = Task {
            for try await change in watcher.changes() { seen.add(change) }
        }
        defer { listener.cancel() }
        // Nothing happens in the namespace: nothing is reported. Until a link comes up, only the
        // new links' own changes (added, down) are, so nothing else came in between.
        #expect(seen.all.isEmpty)

        #expect(await command(["ip", "-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1"]))
        #expect(await command(["ip", "-n", name, "link", "set", "v1", "up"]))
        #expect(await command(["ip", "-n", name, "link", "set", "v0", "up"]))
        let upTo = await seen.wait { $0.contains { $0.contains(.linkUp) } }
        #expect(upTo != nil)
        let before = (upTo ?? []).prefix { !$0.contains(.linkUp) }
        #expect(before.allSatisfy { $0 == .linkDown }, "\(before)")
        #expect(await command(["ip", "-n", name, "addr", "add", "10.77.0.1/24", "dev", "v0"]))
        #expect(await command(["ip", "-n", name, "route", "add", "default", "via", "10.77.0.2"]))
        #expect(await seen.wait { $0.contains { $0.contains(.defaultRouteAdded) } } != nil)
        #expect(seen.all.contains { $0.mayHaveComeUp })
        #expect(await command(["ip", "-n", name, "link", "set", "v0", "down"]))
        #expect(await seen.wait { $0.contains { $0.contains(.linkDown) || $0.contains(.routeRemoved) } }?.count ?? 0 > 0)
    }

    @Test("the watcher's stream ends when its listener is cancelled (the thread is woken, not left polling)")
    func endsWhenCancelled() async throws {
        let listening = Observed(false)
        let watcher = try NetlinkWatcher(networkNamespace: nil, listening: { listening.set(true) })
        let ended = ChangeLog()
        let listener = Task {
            for try await _ in watcher.changes() {}
            ended.add(.overrun)
        }
        // Cancelled while its thread waits in poll(2) for the kernel.
        #expect(await listening.holds(within: .seconds(30)) { $0 })
        #expect(ended.all.isEmpty)
        listener.cancel()
        #expect(await ended.wait(upTo: .seconds(10)) { !$0.isEmpty } != nil)
    }
}

/// The changes reported so far, for a test to await one.
final class ChangeLog: Sendable {
    private let changes = Observed<[NetworkChange]>([])
    func add(_ change: NetworkChange) { changes.update { $0.append(change) } }
    var all: [NetworkChange] { changes.value }

    /// The changes once `predicate` holds; nil if it does not within `bound` (a failure guard).
    func wait(upTo bound: Duration = .seconds(30),
              until predicate: @escaping @Sendable ([NetworkChange]) -> Bool) async -> [NetworkChange]? {
        await changes.wait(upTo: bound, until: predicate)
    }
}
