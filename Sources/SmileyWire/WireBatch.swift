import Foundation

/// The body of `POST /v1/batches` (api/openapi.yaml, `Batch`): one terminal's samples under the
/// batch's UUID, which is also the request's Idempotency-Key.
public struct WireBatch: Sendable, Hashable {
    public var terminal: String
    public var site: String
    /// The batch's UUID (its Idempotency-Key).
    public var id: UUID
    public var samples: [WireSample]

    public init(terminal: String, site: String, id: UUID, samples: [WireSample]) {
        self.terminal = terminal
        self.site = site
        self.id = id
        self.samples = samples
    }

    /// The most samples in one batch.
    public static let maxSamples = 10_000

    /// The batch id in its canonical lowercase form (RFC 9562), as the wire and the receiver's
    /// idempotency record write it.
    public var key: String { id.uuidString.lowercased() }
}
