import Foundation
import SmileyConfig
import Testing

@Suite struct UpstreamConfigTests {
    @Test func fullSectionParsesToItsValues() throws {
        let config = try parse(twoButtons + """
            upstream:
              url: https://collector.example.com/smiley/
              token-file: upstream.token
              ca-file: /etc/smiley/ca.pem
              batch-size: 250
              coalesce-ms: 1500
              interval-seconds: 60
              connect-timeout-ms: 5000
              request-timeout-ms: 20000
              retry-initial-ms: 500
              retry-max-ms: 60000
              heartbeat-seconds: 0
              gzip: false
            retention-days: 30

            """)
        let upstream = try #require(config.upstream)
        #expect(upstream == UpstreamSettings(
            url: "https://collector.example.com/smiley", tokenFile: "/etc/smiley/upstream.token", caFile: "/etc/smiley/ca.pem",
            batchSize: 250, coalesceMs: 1500, intervalSeconds: 60, connectTimeoutMs: 5000, requestTimeoutMs: 20000,
            retryInitialMs: 500, retryMaxMs: 60000, heartbeatSeconds: 0, gzip: false))
        #expect(config.retentionDays == 30)
    }

    @Test func defaults() throws {
        let config = try parse(twoButtons + "upstream:\n  url: http://10.0.0.5:8080\n  token-file: /etc/smiley/t\n")
        let upstream = try #require(config.upstream)
        #expect(upstream.batchSize == 500 && upstream.coalesceMs == 3000 && upstream.intervalSeconds == 300)
        #expect(upstream.retryInitialMs == 1000 && upstream.retryMaxMs == 300_000 && upstream.heartbeatSeconds == 900)
        #expect(upstream.gzip && upstream.caFile == nil)
        #expect(config.retentionDays == 400)
        #expect(try parse(twoButtons).upstream == nil)
    }

    @Test func roundTrip() throws {
        let config = try parse(twoButtons + "upstream:\n  url: https://c.example\n  token-file: t\n  ca-file: ca.pem\nretention-days: 7\n")
        let again = try parse(config.rendered())
        #expect(again == config)
        #expect(config.rendered().contains("upstream:\n  url: https://c.example\n  token-file: /etc/smiley/t\n  ca-file: /etc/smiley/ca.pem\n"))
    }

    static let errors: [(String, String, [String])] = [
        ("upstream:\n  token-file: t\n", "upstream.url", ["required"]),
        ("upstream:\n  url: https://c.example\n", "upstream.token-file", ["required", "0600"]),
        ("upstream:\n  url: ftp://c.example\n  token-file: t\n", "upstream.url", ["scheme ftp is not allowed"]),
        ("upstream:\n  url: https://user:pw@c.example\n  token-file: t\n", "upstream.url", ["must not carry a user name or password"]),
        ("upstream:\n  url: https://c.example/?a=1\n  token-file: t\n", "upstream.url", ["remove the ?query"]),
        ("upstream:\n  url: not a url\n  token-file: t\n", "upstream.url", ["expected the receiver's base URL"]),
        ("upstream:\n  url: https://c.example\n  token-file: t\n  batch-size: 0\n", "upstream.batch-size", ["out of range", "1...5000"]),
        ("upstream:\n  url: https://c.example\n  token-file: t\n  retry-initial-ms: 5000\n  retry-max-ms: 100\n", "upstream.retry-max-ms",
         ["below retry-initial-ms"]),
        ("upstream:\n  url: https://c.example\n  token-file: t\n  batchsize: 10\n", "upstream.batchsize", ["did you mean batch-size?"]),
        ("upstream:\n  url: https://c.example\n  token-file: t\n  gzip: maybe\n", "upstream.gzip", ["expected true or false"]),
        ("batch-size: 10\n", "batch-size", ["belongs in upstream:"]),
        ("retention-days: 0\n", "retention-days", ["out of range"]),
    ]

    @Test(arguments: 0..<errors.count)
    func errorsNameTheKeyAndTheRule(index: Int) throws {
        let (yaml, keyPath, says) = Self.errors[index]
        let error = try #require(parseError(twoButtons + yaml))
        #expect(error.keyPath == keyPath, "\(error)")
        #expect(error.line != nil)
        for text in says { #expect(error.message.contains(text), "\(error.message)") }
        #expect(error.exitCode == 78)
    }
}
