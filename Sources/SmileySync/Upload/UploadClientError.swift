import SmileyCore
import AsyncHTTPClient
import CompressNIO
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SmileyConfig
import SmileyStore

/// The configuration cannot be used to send (a CA file that does not load).
public struct UploadClientError: UserFacingError, Sendable {
    public var description: String
    public var exitCode: Int32 { 78 }
}
