/// The `upstream:` section: the receiver samples are sent to (see docs/sync.md).
public struct UpstreamSettings: Sendable, Equatable {
    /// `url`: the receiver's base URL, http or https, without a trailing slash; batches go to
    /// `{url}/v1/batches`, heartbeats to `{url}/v1/heartbeat`.
    public var url: String
    /// `token-file`: a file holding the bearer token, readable by its owner only.
    public var tokenFile: String
    /// `ca-file`: a PEM file of extra trust roots for https (a private CA). Verification is
    /// always on.
    public var caFile: String?
    /// `batch-size`: the most samples in one request. Default 500.
    public var batchSize: Int
    /// `coalesce-ms`: after a press, wait this long so that presses close together travel in one
    /// batch. Default 3000.
    public var coalesceMs: Int
    /// `interval-seconds`: while samples wait (a receiver that refused several batches in a row,
    /// samples waiting for the clock), look again this often. Default 300.
    public var intervalSeconds: Int
    /// `connect-timeout-ms`. Default 10000.
    public var connectTimeoutMs: Int
    /// `request-timeout-ms`: one whole request, answer included. Default 30000.
    public var requestTimeoutMs: Int
    /// `retry-initial-ms` and `retry-max-ms`: retries wait random(0, min(max, initial·2^n)).
    /// Defaults 1000 and 300000.
    public var retryInitialMs: Int
    public var retryMaxMs: Int
    /// `heartbeat-seconds`: how often to report to `{url}/v1/heartbeat`; 0 = never. Default 900.
    public var heartbeatSeconds: Int
    /// `gzip`: compress request bodies. Default true.
    public var gzip: Bool

    public init(url: String, tokenFile: String, caFile: String? = nil, batchSize: Int = 500, coalesceMs: Int = 3_000,
                intervalSeconds: Int = 300, connectTimeoutMs: Int = 10_000, requestTimeoutMs: Int = 30_000,
                retryInitialMs: Int = 1_000, retryMaxMs: Int = 300_000, heartbeatSeconds: Int = 900, gzip: Bool = true) {
        self.url = url
        self.tokenFile = tokenFile
        self.caFile = caFile
        self.batchSize = batchSize
        self.coalesceMs = coalesceMs
        self.intervalSeconds = intervalSeconds
        self.connectTimeoutMs = connectTimeoutMs
        self.requestTimeoutMs = requestTimeoutMs
        self.retryInitialMs = retryInitialMs
        self.retryMaxMs = retryMaxMs
        self.heartbeatSeconds = heartbeatSeconds
        self.gzip = gzip
    }

    /// The defaults of every key but `url` and `token-file` (which have none).
    static let defaults = UpstreamSettings(url: "", tokenFile: "")
}
