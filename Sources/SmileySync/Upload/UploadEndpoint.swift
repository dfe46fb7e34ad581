import AsyncHTTPClient
import CompressNIO
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SmileyConfig
import SmileyStore

/// Where and how to send: the `upstream:` settings with the token read.
public struct UploadEndpoint: Sendable {
    public var baseURL: String
    public var token: BearerToken
    public var caFile: String?
    public var connectTimeout: Duration
    public var requestTimeout: Duration
    public var gzip: Bool

    public init(baseURL: String, token: BearerToken, caFile: String? = nil, connectTimeout: Duration = .seconds(10),
                requestTimeout: Duration = .seconds(30), gzip: Bool = true) {
        self.baseURL = baseURL
        self.token = token
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.gzip = gzip
    }

    public init(settings: UpstreamSettings, token: BearerToken) {
        self.init(baseURL: settings.url, token: token, caFile: settings.caFile,
                  connectTimeout: .milliseconds(settings.connectTimeoutMs),
                  requestTimeout: .milliseconds(settings.requestTimeoutMs), gzip: settings.gzip)
    }
}
