import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SmileyCollector
import Testing
@testable import SmileyStore

/// The example configuration as the tests run it: only its addresses and host settings replaced.
@Suite("TestLoadBalancer: the example's configuration with its addresses replaced")
struct LoadBalancerConfigurationTests {
    @Test("bind and servers on loopback ports, global's host settings left out, every other line as written")
    func madeFromTheExample() throws {
        let example = try String(contentsOfFile: Fleet.example, encoding: .utf8)
        let made = try TestLoadBalancer.configuration(fromExample: example, port: 18_080, backends: [18_081, 18_082, 18_083])
        #expect(made.backend == "collectors")
        #expect(made.servers == ["collector-1", "collector-2", "server-3"])
        let lines = made.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.filter { $0.hasPrefix("    bind ") } == ["    bind 127.0.0.1:18080"])
        let options = "check"
        #expect(lines.filter { $0.hasPrefix("    server ") } == [
            "    server collector-1 127.0.0.1:18081 \(options)", "    server collector-2 127.0.0.1:18082 \(options)",
            "    server server-3 127.0.0.1:18083 \(options)",
        ])
        for gone in ["chroot", "user", "group", "daemon", "stats socket", "log /dev/log"] {
            #expect(!lines.contains { $0.hasPrefix("    \(gone)") }, "\(gone) is still there")
        }
        #expect(lines.contains("    log stderr format short local0"))
        // Every other line of the example is in the configuration, in order.
        let replaced = ["    bind ", "    server ", "    chroot ", "    user ", "    group ", "    daemon", "    stats socket ", "    log /dev/log"]
        let kept = example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { line in !replaced.contains { line.hasPrefix($0) } }
        #expect(kept == lines.filter { $0 != "    log stderr format short local0" && !$0.hasPrefix("    bind ") && !$0.hasPrefix("    server ") })
        // A file without what the test replaces is refused, saying what is missing.
        #expect(throws: TestLoadBalancer.Failure.self) {
            _ = try TestLoadBalancer.configuration(fromExample: "frontend f\n    bind :80\n", port: 1, backends: [2])
        }
    }
}

/// Two real smiley-collector processes on one PostgreSQL behind HAProxy run from
/// examples/haproxy.cfg; terminals are real `smileyd --sync-once` processes.
@Suite("smiley-collectors behind HAProxy (examples/haproxy.cfg) on one PostgreSQL", .serialized,
       .enabled(if: fleetTestsCanRun, fleetTestsNeed), .timeLimit(.minutes(3)))
struct LoadBalancerTests {
    @Test("terminals sync through HAProxy to two collectors: both take batches, each sample stored once; a body above max-body-bytes is refused at HAProxy")
    func throughTheBalancer() async throws {
        let fleet = try await Fleet.start(terminals: 3, batchSize: 40)
        do {
            try await withThrowingTaskGroup(of: (String, ProcessResult).self) { group in
                for terminal in fleet.terminals {
                    try terminal.seed(800, from: 1_795_341_600_000)
                    group.addTask { (terminal.id, try await terminal.syncOnce()) }
                }
                for try await (id, result) in group {
                    #expect(result.status == 0, "\(id): \(result.stdout) \(result.stderr)")
                    #expect(result.stdout.contains(#""sent":800,"remaining":0"#), "\(id): \(result.stdout)")
                }
            }
            #expect(try await fleet.expectEverySampleExactlyOnce() == 2400)
            // 60 batches (more answers if a terminal sent one again); leastconn gives both collectors some.
            let stored = (fleet.batchesStored(by: 0), fleet.batchesStored(by: 1))
            #expect(stored.0 > 0 && stored.1 > 0, "batches per collector: \(stored)\n\(fleet.balancer.output.tail())")
            #expect(stored.0 + stored.1 >= 60)

            // The collectors' max-body-bytes (their default) is HAProxy's limit too: one byte more
            // is refused from the request's head, in the API's error shape.
            let limit = CollectorConfiguration(database: "", tokensFile: "").maxBodyBytes
            let answer = try await rawExchange(port: fleet.balancer.port, """
                POST /v1/batches HTTP/1.1\r
                Host: collector\r
                Content-Type: application/json\r
                Content-Length: \(limit + 1)\r
                \r

                """)
            #expect(answer.hasPrefix("HTTP/1.1 413 "), "\(answer)")
            #expect(answer.contains(#"{"error":"the body is larger than the collectors take (max-body-bytes)"}"#), "\(answer)")
        } catch {
            await fleet.shutdown()
            throw error
        }
        await fleet.shutdown()
    }

    @Test("a collector whose database is away: /health 503, batches 503 with Retry-After; HAProxy takes it out, the terminals' batches go to the other; it comes back by itself")
    func collectorWithoutItsDatabase() async throws {
        let fleet = try await Fleet.start(terminals: 2, batchSize: 40)
        do {
            let first = fleet.balancer.servers[0]
            let mark = fleet.balancer.output.count
            try await fleet.cutFirstCollector()
            // HAProxy's health checks (GET /health) find it out.
            #expect(await fleet.balancer.awaitState(first, up: false, from: mark), "\(fleet.balancer.output.tail())")

            // Asked directly, the collector says so (both answers come once its 5 s wait for the database ends).
            let direct = "http://127.0.0.1:\(fleet.collectorPorts[0])"
            let terminal = fleet.terminals[0]
            let key = UUID().uuidString.lowercased()
            let sample = #"{"id":"\#(UUID().uuidString.lowercased())","survey":"checkout","button":3,"buttonName":"happy","scale":4,"recordedAt":"2026-11-22T09:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":null}"#
            var request = URLRequest(url: try #require(URL(string: direct + "/v1/batches")))
            request.httpMethod = "POST"
            request.httpBody = Data(#"{"terminal":"\#(terminal.id)","site":"\#(terminal.site)","batch":"\#(key)","samples":[\#(sample)]}"#.utf8)
            let token = try String(contentsOfFile: terminal.folder.file("upstream.token"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.setValue(key, forHTTPHeaderField: "Idempotency-Key")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let healthURL = try #require(URL(string: direct + "/health"))
            async let healthAnswer = URLSession.shared.data(from: healthURL)
            async let batchAnswer = URLSession.shared.data(for: request)
            let (healthBody, health) = try await healthAnswer
            #expect((health as? HTTPURLResponse)?.statusCode == 503)
            #expect(String(decoding: healthBody, as: UTF8.self) == #"{"status":"storage unavailable"}"#)
            let refusal = try #require(try await batchAnswer.1 as? HTTPURLResponse)
            #expect(refusal.statusCode == 503)
            #expect(refusal.value(forHTTPHeaderField: "Retry-After") == "5")

            // Through HAProxy: every batch goes to the other collector, and is stored.
            let during = fleet.balancer.output.count
            try await withThrowingTaskGroup(of: (String, ProcessResult).self) { group in
                for terminal in fleet.terminals {
                    try terminal.seed(400, from: 1_795_341_600_000)
                    group.addTask { (terminal.id, try await terminal.syncOnce()) }
                }
                for try await (id, result) in group {
                    #expect(result.status == 0, "\(id): \(result.stdout) \(result.stderr)")
                }
            }
            #expect(fleet.batchesStored(by: 0, from: during) == 0)
            #expect(fleet.batchesStored(by: 1, from: during) >= 20)
            #expect(fleet.balancer.requests(servedBy: first, from: during).isEmpty)

            // Its database back: it reconnects by itself and HAProxy takes it in again.
            let back = fleet.balancer.output.count
            try fleet.reconnectFirstCollector()
            #expect(await fleet.balancer.awaitState(first, up: true, from: back), "\(fleet.balancer.output.tail())")
            let (_, healthy) = try await URLSession.shared.data(from: try #require(URL(string: direct + "/health")))
            #expect((healthy as? HTTPURLResponse)?.statusCode == 200)
            #expect(try await fleet.expectEverySampleExactlyOnce() == 800)
        } catch {
            await fleet.shutdown()
            throw error
        }
        await fleet.shutdown()
    }
}

/// Sends `request` as it is on a new connection to 127.0.0.1:`port` and returns what comes back
/// until the server closes (HAProxy closes after a deny). On a thread of its own.
func rawExchange(port: Int, _ request: String) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                continuation.resume(throwing: TestLoadBalancer.Failure(description: "connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))"))
                return
            }
            let bytes = Array(request.utf8)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var answer: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                answer += buffer[0..<count]
            }
            continuation.resume(returning: String(decoding: answer, as: UTF8.self))
        }.start()
    }
}
