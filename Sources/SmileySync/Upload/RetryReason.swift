import AsyncHTTPClient
import CompressNIO
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SmileyConfig
import SmileyStore

public struct RetryReason: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// No HTTP answer: connection refused or reset, DNS, TLS, a timeout. A returning network
        /// (netlink) cuts the wait short.
        case network
        /// The receiver answered 408, 429 or 5xx.
        case busy
        /// 409: the receiver is still working on this key.
        case inProgress
        /// An answer that is not what the contract says (a redirect, a 2xx without a receipt).
        case unexpected
    }

    public var kind: Kind
    public var status: Int?
    /// From `Retry-After`.
    public var retryAfter: Duration?
    public var message: String
}
