import CSmileySystem
import Foundation
import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

/// What the kernel announced about the network (rtnetlink multicast groups for links and IPv4
/// and IPv6 routes).
public struct NetworkChange: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let linkUp = NetworkChange(rawValue: Int32(SMILEY_NET_LINK_UP))
    public static let linkDown = NetworkChange(rawValue: Int32(SMILEY_NET_LINK_DOWN))
    public static let routeAdded = NetworkChange(rawValue: Int32(SMILEY_NET_ROUTE_ADDED))
    public static let defaultRouteAdded = NetworkChange(rawValue: Int32(SMILEY_NET_DEFAULT_ROUTE_ADDED))
    public static let routeRemoved = NetworkChange(rawValue: Int32(SMILEY_NET_ROUTE_REMOVED))
    /// The kernel dropped messages: anything may have changed.
    public static let overrun = NetworkChange(rawValue: Int32(SMILEY_NET_OVERRUN))

    /// Whether this may mean the network just became usable.
    public var mayHaveComeUp: Bool { !intersection([.linkUp, .routeAdded, .overrun]).isEmpty }
}

/// Listens on an AF_NETLINK socket for link and route changes. A dedicated thread sleeps in
/// `poll(2)` (``FileDescriptorWaiter``) until the kernel sends something: no CPU and no timer
/// while the network stays as it is.
public final class NetlinkWatcher: Sendable {
    private let fd: Int32
    private let waiter: FileDescriptorWaiter
    /// Called each time the listening thread is about to wait for the kernel (tests use it).
    let listening: (@Sendable () -> Void)?

    /// - Parameter networkNamespace: a path such as /run/netns/NAME to watch another network
    ///   namespace (tests); nil for the daemon's own.
    public convenience init(networkNamespace: String? = nil) throws(SystemCallError) {
        try self.init(networkNamespace: networkNamespace, listening: nil)
    }

    init(networkNamespace: String?, listening: (@Sendable () -> Void)?) throws(SystemCallError) {
        self.listening = listening
        let fd = networkNamespace.map { path in path.withCString { smiley_netlink_open($0) } } ?? smiley_netlink_open(nil)
        guard fd >= 0 else { throw SystemCallError(call: "netlink socket", errno: errno) }
        self.fd = fd
        do {
            waiter = try FileDescriptorWaiter()
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        close(fd)
    }

    /// Changes as they come, until the consumer stops listening or the socket fails (then the
    /// stream ends with the error).
    public func changes() -> AsyncThrowingStream<NetworkChange, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: NetworkChange.self, throwing: (any Error).self)
        continuation.onTermination = { [waiter] _ in waiter.cancel() }
        let thread = Thread { [self] in
            while true {
                let wake: FileDescriptorWaiter.Wake
                listening?()
                do {
                    wake = try waiter.wait(for: fd)
                } catch {
                    continuation.finish(throwing: error)
                    return
                }
                switch wake {
                case .cancelled:
                    continuation.finish()
                    return
                case .hangup:
                    continuation.finish(throwing: SystemCallError(call: "netlink poll (hang-up)", errno: EPIPE))
                    return
                case .readable:
                    let bits = smiley_netlink_drain(fd)
                    if bits < 0 {
                        continuation.finish(throwing: SystemCallError(call: "netlink recv", errno: errno))
                        return
                    }
                    if bits != 0 {
                        if case .terminated = continuation.yield(NetworkChange(rawValue: bits)) { return }
                    }
                }
            }
        }
        thread.name = "smiley-netlink"
        thread.start()
        return stream
    }
}
