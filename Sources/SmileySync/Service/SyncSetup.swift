import Foundation
import GRDB
import Logging
import SmileyConfig
import SmileyStore

/// Everything the uploader needs, checked before the daemon starts.
public struct SyncSetup: Sendable {
    public let settings: UpstreamSettings
    public let client: UploadClient
    public let store: SyncStore

    /// Reads the token (refusing a file open to group or others) and loads the CA file.
    public static func make(configuration: SmileyConfig.Configuration, pool: DatabasePool, userAgent: String,
                            logger: Logger) throws(SyncSetupError) -> SyncSetup {
        guard let settings = configuration.upstream else {
            throw SyncSetupError("no upstream: section in the configuration; add one with url and token-file", exitCode: 78)
        }
        let token: BearerToken
        do {
            token = try TokenFile.read(path: settings.tokenFile)
        } catch {
            throw SyncSetupError(error.description, exitCode: error.exitCode)
        }
        if settings.url.lowercased().hasPrefix("http://"), !Self.isLoopback(settings.url) {
            logger.warning("upstream.url is plain http: the token and the samples cross the network unencrypted; use https",
                           metadata: ["url": "\(settings.url)"])
        }
        let client: UploadClient
        do {
            client = try UploadClient(endpoint: UploadEndpoint(settings: settings, token: token), userAgent: userAgent,
                                      logger: logger)
        } catch {
            throw SyncSetupError(error.description, exitCode: error.exitCode)
        }
        return SyncSetup(settings: settings, client: client, store: SyncStore(pool: pool, path: configuration.database))
    }

    static func isLoopback(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// The uploader's pacing for this configuration. `settle` covers the interpreter's re-flag
    /// window (simultaneous-ms after the first press, plus debounce and a margin for the commit).
    public static func uploaderSettings(_ configuration: SmileyConfig.Configuration, holdBoot: String?,
                                        settleMargin: Duration = .milliseconds(1000)) -> UploaderSettings {
        let upstream = configuration.upstream ?? UpstreamSettings(url: "", tokenFile: "")
        let settle = Duration.milliseconds(configuration.press.simultaneousMs + configuration.press.debounceMs) + settleMargin
        return UploaderSettings(
            batchSize: upstream.batchSize, coalesce: .milliseconds(upstream.coalesceMs), settle: settle,
            interval: .seconds(upstream.intervalSeconds),
            backoff: BackoffPolicy(initial: .milliseconds(upstream.retryInitialMs), cap: .milliseconds(upstream.retryMaxMs)),
            holdBoot: holdBoot, retentionDays: configuration.retentionDays, databasePath: configuration.database)
    }
}
