import AsyncHTTPClient
import CompressNIO
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SmileyConfig
import SmileyStore

public struct HeartbeatFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
