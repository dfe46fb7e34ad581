import Foundation

/// The command line: `--database PATH --samples N --smileyctl PATH --runs N`.
struct Options {
    var database = (ProcessInfo.processInfo.environment["HOME"] ?? "/tmp") + "/.cache/smiley-bench/reports-10M.sqlite"
    var samples = 10_000_000
    var smileyctl: String?
    var runs = 15

    init(_ arguments: [String]) throws {
        var index = 0
        func value() throws -> String {
            index += 1
            guard index < arguments.count else { throw BenchError("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--database": database = try value()
            case "--samples":
                guard let n = Int(try value()), n > 0 else { throw BenchError("--samples needs a positive number") }
                samples = n
            case "--smileyctl": smileyctl = try value()
            case "--runs":
                guard let n = Int(try value()), n > 0 else { throw BenchError("--runs needs a positive number") }
                runs = n
            case let other: throw BenchError("unknown option \(other); options: --database PATH --samples N --smileyctl PATH --runs N")
            }
            index += 1
        }
    }
}
