import Foundation

/// What a child process writes, line by line, for a test to await a line instead of polling
/// (a server saying it listens, a load balancer saying a server is down).
public final class LineLog: Sendable {
    private struct State: Sendable {
        var lines: [String] = []
        var partial = ""
        var ended = false
    }

    private let state = Observed(State())

    public init() {}

    /// Reads `handle` to its end on Foundation's reading thread; a last line without a newline
    /// counts once the output ends.
    public func follow(_ handle: FileHandle) {
        handle.readabilityHandler = { [state] handle in
            let data = handle.availableData
            state.update { state in
                if data.isEmpty {
                    if !state.partial.isEmpty { state.lines.append(state.partial) }
                    state.partial = ""
                    state.ended = true
                    return
                }
                state.partial += String(decoding: data, as: UTF8.self)
                guard let end = state.partial.lastIndex(of: "\n") else { return }
                state.lines += state.partial[..<end].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                state.partial = String(state.partial[state.partial.index(after: end)...])
            }
            if data.isEmpty { handle.readabilityHandler = nil }
        }
    }

    /// Every complete line so far.
    public var lines: [String] { state.value.lines }

    /// How many complete lines there are: a mark to await later lines from.
    public var count: Int { state.value.lines.count }

    /// Whether the output has ended (the process closed it, usually by exiting).
    public var ended: Bool { state.value.ended }

    /// The index of the first line at or after `start` that satisfies `predicate`, once it is
    /// written; nil when the output ends without one, or after `bound` (a failure guard).
    public func firstIndex(from start: Int = 0, upTo bound: Duration = .seconds(60),
                           where predicate: @escaping @Sendable (String) -> Bool) async -> Int? {
        let found = await state.wait(upTo: bound) { state in
            state.ended || state.lines.dropFirst(start).contains(where: predicate)
        }
        guard let found else { return nil }
        return found.lines.indices.dropFirst(start).first { predicate(found.lines[$0]) }
    }

    /// The last `count` lines, for a failure message.
    public func tail(_ count: Int = 20) -> String {
        state.value.lines.suffix(count).joined(separator: "\n")
    }
}
