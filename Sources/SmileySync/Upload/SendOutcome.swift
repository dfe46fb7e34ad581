import AsyncHTTPClient
import CompressNIO
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SmileyConfig
import SmileyStore

/// What became of one attempt to send a batch.
public enum SendOutcome: Sendable {
    /// 2xx with a receipt for the whole batch: its samples are synced.
    case delivered(status: Int, receipt: BatchReceipt)
    /// Try again later with the same key: no answer, a timeout, 408, 409, 429, 5xx, a redirect, or a
    /// 2xx that is not a receipt.
    case retry(RetryReason)
    /// Another 4xx: the receiver refuses this batch; quarantine it.
    case refused(status: Int, reason: String)
}
