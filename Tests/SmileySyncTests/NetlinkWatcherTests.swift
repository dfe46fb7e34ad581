import Foundation
import Testing
@testable import SmileySync

/// Runs a command; true when it exits 0.
@discardableResult
func shell(_ arguments: [String]) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
    } catch {
        return false
    }
    process.waitUntilExit()
    return process.terminationStatus == 0
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
        #expect(shell(["ip", "netns", "add", name]))
        defer { shell(["ip", "netns", "del", name]) }
        let watcher = try NetlinkWatcher(networkNamespace: "/run/netns/\(name)")
        let seen = AsyncStreamBox()
        let listener = Task {
            for try await change in watcher.changes() { await seen.add(change) }
        }
        defer { listener.cancel() }
        // Nothing happens in the namespace: nothing is reported.
        try await Task.sleep(for: .milliseconds(200))
        #expect(await seen.all.isEmpty)

        #expect(shell(["ip", "-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1"]))
        #expect(shell(["ip", "-n", name, "link", "set", "v1", "up"]))
        #expect(shell(["ip", "-n", name, "link", "set", "v0", "up"]))
        #expect(await eventually(5) { await seen.all.contains { $0.contains(.linkUp) } })
        #expect(shell(["ip", "-n", name, "addr", "add", "10.77.0.1/24", "dev", "v0"]))
        #expect(shell(["ip", "-n", name, "route", "add", "default", "via", "10.77.0.2"]))
        #expect(await eventually(5) { await seen.all.contains { $0.contains(.defaultRouteAdded) } })
        #expect(await seen.all.contains { $0.mayHaveComeUp })
        #expect(shell(["ip", "-n", name, "link", "set", "v0", "down"]))
        #expect(await eventually(5) { await seen.all.contains { $0.contains(.linkDown) || $0.contains(.routeRemoved) } })
    }

    @Test("the watcher's stream ends when its listener is cancelled (the thread is woken, not left polling)")
    func endsWhenCancelled() async throws {
        let watcher = try NetlinkWatcher()
        let ended = AsyncStreamBox()
        let listener = Task {
            for try await _ in watcher.changes() {}
            await ended.add(.overrun)
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(await ended.all.isEmpty)
        listener.cancel()
        #expect(await eventually(3) { await !ended.all.isEmpty })
    }
}

actor AsyncStreamBox {
    private(set) var all: [NetworkChange] = []
    func add(_ change: NetworkChange) { all.append(change) }
}
