import AsyncHTTPClient
import CompressNIO
import Foundation
import NIOCore
import SmileyCore
import SmileyStore
import SmileyWire

/// One simulated terminal: it makes batches of real samples (UUID v7 ids, time-ordered, one
/// second apart in its local opening hours) and posts each as smileyd does — WireEncoder's JSON,
/// gzip level 1, the batch's UUID as Idempotency-Key — sending the very same bytes again on 409,
/// 429, 5xx or a connection error until a 200 receipt says the batch is committed.
struct SimulatedTerminal: Sendable {
    let id: String
    let site: String
    let token: String
    let utcOffsetSeconds: Int
    /// The next sample's time (UTC ms).
    private var nextMs: Int64
    private var random = SampleID.Generator()

    static let buttons = ["very-unhappy", "unhappy", "happy", "very-happy"]

    init(id: String, site: String, token: String, utcOffsetSeconds: Int, firstMs: Int64) {
        self.id = id
        self.site = site
        self.token = token
        self.utcOffsetSeconds = utcOffsetSeconds
        nextMs = firstMs
    }

    /// The next `count` samples as one batch (one in fifty marked as an `interval` misuse).
    mutating func makeBatch(_ count: Int) -> WireBatch {
        var samples: [WireSample] = []
        samples.reserveCapacity(count)
        for _ in 0..<count {
            let draw = random.next()
            let button = Int(draw % 4)
            samples.append(WireSample(id: SampleID.make(unixMs: nextMs, using: &random), survey: "checkout", button: button,
                                      buttonName: Self.buttons[button], scale: 4, recordedAtMs: nextMs,
                                      utcOffsetSeconds: utcOffsetSeconds, clockSynchronized: true,
                                      misuse: (draw >> 8) % 50 == 0 ? .interval : nil))
            nextMs += 1000
        }
        return WireBatch(terminal: id, site: site, id: SampleID.make(unixMs: nextMs, using: &random), samples: samples)
    }

    /// Posts `batch` until it is committed; what it took. Throws ``BenchError`` on a refusal (a
    /// 4xx other than 409/429: the benchmark's own mistake) or when `giveUp` passes first.
    func deliver(_ batch: WireBatch, client: HTTPClient, url: String, giveUp: ContinuousClock.Instant) async throws -> Delivery {
        var body = ByteBuffer(bytes: WireEncoder.encode(batch))
        body = try body.compress(with: .gzip(configuration: .init(compressionLevel: 1)))
        let started = ContinuousClock.now
        var statuses: [String: Int] = [:]
        var backoff = Duration.milliseconds(50)
        while true {
            var request = HTTPClientRequest(url: url + "/v1/batches")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer " + token)
            request.headers.add(name: "Idempotency-Key", value: batch.key)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Content-Encoding", value: "gzip")
            request.headers.add(name: "User-Agent", value: "smiley-fleet-bench")
            request.body = .bytes(body)
            var retryAfter: Duration?
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                let answer = try await response.body.collect(upTo: 1 << 20)
                let status = Int(response.status.code)
                // A refusal by its error's first words (`503 the collector is reading 8 bodies`).
                let words = status == 200 ? "" : (try? WireDecoder.errorBody(from: Data(answer.readableBytesView)))
                    .map { " " + $0.error.split(separator: " ").prefix(6).joined(separator: " ") } ?? ""
                statuses[String(status) + words, default: 0] += 1
                switch status {
                case 200:
                    let receipt = try WireDecoder.receipt(from: Data(answer.readableBytesView))
                    guard receipt.batch == batch.key, receipt.accepted + receipt.duplicates == batch.samples.count else {
                        throw BenchError("\(id): receipt \(receipt) does not match batch \(batch.key) of \(batch.samples.count) samples")
                    }
                    return Delivery(finished: .now, latency: .now - started, samples: batch.samples.count,
                                    accepted: receipt.accepted, statuses: statuses)
                case 409, 429, 500..<600:
                    retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init).map { .seconds(min($0, 5)) }
                default:
                    throw BenchError("\(id): HTTP \(status) for batch \(batch.key): \(String(buffer: answer).prefix(300))")
                }
            } catch let error as BenchError {
                throw error
            } catch {
                statuses["error", default: 0] += 1
            }
            guard ContinuousClock.now < giveUp else {
                throw BenchError("\(id): batch \(batch.key) not stored in time (attempts: \(statuses))")
            }
            // As the uploader: the server's Retry-After, else a growing, jittered wait.
            let wait = retryAfter ?? backoff * Double.random(in: 0.5...1.0)
            backoff = min(backoff * 2, .seconds(2))
            try await Task.sleep(for: wait)
        }
    }

    /// One committed batch.
    struct Delivery: Sendable {
        /// When its receipt came.
        var finished: ContinuousClock.Instant
        /// First send to receipt, retries included.
        var latency: Duration
        var samples: Int
        var accepted: Int
        /// Answers by status (`error` for no answer), the final 200 included.
        var statuses: [String: Int]
    }
}
