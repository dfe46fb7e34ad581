import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// A collector running in this process (the executable, tests, the benchmark).
public final class RunningCollector: Sendable {
    /// The port it listens on (the real one when 0 was asked for).
    public let port: Int
    public let host: String
    /// `http` or `https`.
    public let scheme: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(port: Int, host: String, scheme: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.host = host
        self.scheme = scheme
        self.group = group
        self.task = task
    }

    public var baseURL: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Starts listening on `host`:`port` (0 = a free port) and returns once the server accepts.
    /// - Parameters:
    ///   - tls: serve https with this certificate and key (PEM files); nil for http.
    ///   - services: run in the same ServiceGroup, started before the server and stopped after it
    ///     (PostgreSQL's connection pool).
    public static func start(api: CollectorAPI, host: String = "127.0.0.1", port: Int = 0,
                             tls: (certificate: String, key: String)? = nil,
                             services: [any Service] = [],
                             middlewares: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = [],
                             shutdownSignals: [UnixSignal] = []) async throws -> RunningCollector {
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Int.self)
        // The idle timeout also bounds how long a request head may take (see CollectorLimits).
        let http1 = HTTP1Channel.Configuration(idleTimeout: TimeAmount(api.limits.idleTimeout))
        var server = HTTPServerBuilder.http1(configuration: http1)
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            server = try .tls(.http1(configuration: http1), tlsConfiguration: configuration)
        }
        let scheme = tls == nil ? "http" : "https"
        let app = Application(
            router: api.router(middlewares: middlewares),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "smiley-collector",
                                 availableConnectionsDelegate: MaximumAvailableConnections(api.limits.maxConnections, logger: api.logger)),
            onServerRunning: { channel in
                readyContinuation.yield(channel.localAddress?.port ?? port)
                readyContinuation.finish()
            },
            logger: api.logger)
        let group = ServiceGroup(configuration: .init(services: services + [app], gracefulShutdownSignals: shutdownSignals,
                                                      logger: api.logger))
        let task = Task {
            do {
                try await group.run()
            } catch {
                readyContinuation.finish()
                throw error
            }
            readyContinuation.finish()
        }
        var iterator = ready.makeAsyncIterator()
        guard let boundPort = await iterator.next() else {
            try await task.value
            // The group ended without an error and without listening.
            throw CollectorConfigError("the collector stopped before it listened on \(host):\(port)")
        }
        return RunningCollector(port: boundPort, host: host, scheme: scheme, group: group, task: task)
    }

    /// Stops accepting, finishes the requests in progress, and returns.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Runs until the service group ends (a signal, or ``stop()``), rethrowing its error.
    public func wait() async throws {
        try await task.value
    }
}
