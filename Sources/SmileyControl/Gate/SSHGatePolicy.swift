import ArgumentParser
import SmileyCore

/// What a staff SSH key may run. Pure: the text of `SSH_ORIGINAL_COMMAND` in, the argument list to
/// run smileyctl with (never a shell command) or a refusal out.
///
/// Allowed: `[smileyctl] SUBCOMMAND [OPTIONS]` for the read-only subcommands summary, status,
/// export, tail and report, with each option's value checked as the subcommand would. Refused:
/// any character outside letters, digits, space and `- _ . =` (so `;`, `|`, `&&`, `$(…)`,
/// backticks, quotes, redirections, line breaks and NUL bytes never get anywhere), more than
/// 1024 bytes or an argument over 64 characters, unknown subcommands and options, positional
/// arguments, values that start with `-`, and options that write or choose files (`--output`,
/// `--end-of-day`, `--config`). The options are smileyctl's own (``GateOptionTable``), and the
/// result must parse with `SmileyctlCommand.parseAsRoot` to an allowed command.
enum SSHGatePolicy {
    static let maxCommandBytes = 1024
    static let maxArgumentLength = 64
    static let readOnlySubcommands = ["summary", "status", "export", "tail", "report"]

    enum Refusal: Error, Equatable, CustomStringConvertible {
        /// Malformed: exit 64.
        case usage(String)
        /// Well-formed but not allowed for a staff key: exit 77 (EX_NOPERM).
        case forbidden(String)

        var description: String {
            switch self {
            case .usage(let message), .forbidden(let message): message
            }
        }

        var exitCode: Int32 {
            switch self {
            case .usage: 64
            case .forbidden: 77
            }
        }
    }

    enum Decision: Equatable {
        /// Run smileyctl with these arguments (the subcommand first).
        case run([String])
        /// Show what this key may do.
        case help
    }

    typealias Value = GateOptionTable.Value
    typealias OptionKind = GateOptionTable.OptionKind

    /// The options of the read-only subcommands, as smileyctl itself declares them.
    static let table = GateOptionTable.derived(for: readOnlySubcommands)

    /// The parsed command types a staff key may end up running.
    static let allowedCommandTypes: [any ParsableCommand.Type] = [
        SummaryCommand.self, StatusCommand.self, ExportCommand.self, TailCommand.self, ReportCommand.self,
    ]

    /// Subcommands that change something.
    static let writingSubcommands: Set<String> = ["ssh-gate", "sync", "import", "delete", "purge", "prune", "migrate"]

    static func decide(_ command: String?) -> Result<Decision, Refusal> {
        guard let command, command.contains(where: { $0 != " " && $0 != "\t" }) else {
            return .success(.run(["summary"]))
        }
        if command.utf8.count > maxCommandBytes {
            return .failure(.usage("the command is \(command.utf8.count) bytes long; at most \(maxCommandBytes) are allowed"))
        }
        for scalar in command.unicodeScalars where !allowed(scalar) {
            return .failure(.usage("\(describe(scalar)) is not allowed in a command: no shell runs here, so "
                + "; | & $ ` ( ) < > quotes and line breaks have no use; allowed are letters, digits, spaces and - _ . ="))
        }
        var words = command.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if words.first == "smileyctl" { words.removeFirst() }
        guard let subcommand = words.first else { return .success(.run(["summary"])) }
        if ["help", "--help", "-h"].contains(subcommand) { return .success(.help) }
        if subcommand == "--version" { return .success(.run(["--version"])) }
        guard let spec = table.subcommands[subcommand] else {
            if writingSubcommands.contains(subcommand) {
                return .failure(.forbidden("\(shown(subcommand)) changes the terminal; this key may only read: "
                    + readOnlySubcommands.joined(separator: ", ")))
            }
            return .failure(.forbidden("\(shown(subcommand)) is not something this key may run; allowed: "
                + readOnlySubcommands.joined(separator: ", ") + " (smileyctl is optional before them)"))
        }
        let today = LocalDay(year: 2000, month: 1, day: 1)  // only the forms are checked here
        var result = [subcommand]
        var index = 1
        while index < words.count {
            let word = words[index]
            if word.count > maxArgumentLength {
                return .failure(.usage("an argument is \(word.count) characters long; at most \(maxArgumentLength) are allowed"))
            }
            guard word.hasPrefix("-") else {
                return .failure(.usage("\(shown(word)): \(subcommand) takes no arguments without an option name; "
                    + "see `help`"))
            }
            var name = word, inlineValue: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                inlineValue = String(word[word.index(after: equals)...])
            }
            let kind: OptionKind
            switch spec[name] {
            case .allowed(let allowed):
                kind = allowed
            case .forbidden(let why):
                return .failure(.forbidden("\(name) is not allowed for this key: \(why)"))
            case .unchecked(let valueName):
                return .failure(.forbidden("\(name) is not allowed for this key: the gate does not check \(valueName) values"))
            case nil:
                let known = spec.compactMap { key, entry in
                    if case .allowed = entry, key.hasPrefix("--") { key } else { nil }
                }.sorted().joined(separator: ", ")
                return .failure(.usage("unknown option \(shown(name)) for \(subcommand); allowed: \(known)"))
            }
            switch kind {
            case .flag:
                if inlineValue != nil { return .failure(.usage("\(name) takes no value")) }
                result.append(name)
                index += 1
            case .value(let value), .optionalValue(let value):
                var text = inlineValue
                var consumed = 1
                if text == nil, index + 1 < words.count, !words[index + 1].hasPrefix("-") {
                    text = words[index + 1]
                    consumed = 2
                }
                guard let text else {
                    if case .optionalValue = kind {
                        result.append(name)
                        index += 1
                        continue
                    }
                    return .failure(.usage("\(name) needs a value (\(expected(value)))"))
                }
                if text.hasPrefix("-") {
                    return .failure(.usage("\(name) \(shown(text)) is not allowed: a value cannot start with -"))
                }
                if text.count > maxArgumentLength {
                    return .failure(.usage("the value of \(name) is \(text.count) characters long; at most \(maxArgumentLength) are allowed"))
                }
                guard valid(text, as: value, today: today) else {
                    return .failure(.usage("\(name) \(shown(text)) is not allowed; expected \(expected(value))"))
                }
                result += [name, text]
                index += consumed
            }
        }
        return confirmed(result)
    }

    /// The argument list as smileyctl itself parses it: it must parse to one of the allowed
    /// commands, so nothing the checks above let through can mean something else to ArgumentParser.
    static func confirmed(_ arguments: [String]) -> Result<Decision, Refusal> {
        if arguments.contains("--help") || arguments.contains("-h") { return .success(.run(arguments)) }
        let parsed: any ParsableCommand
        do {
            parsed = try SmileyctlCommand.parseAsRoot(OptionalValueOptions.normalize(arguments))
        } catch {
            return .failure(.usage(SmileyctlCommand.message(for: error)))
        }
        guard allowedCommandTypes.contains(where: { $0 == type(of: parsed) }) else {
            return .failure(.forbidden("\(arguments.joined(separator: " ")) is not something this key may run"))
        }
        return .success(.run(arguments))
    }

    static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", " ", "-", "_", ".", "=": true
        default: false
        }
    }

    static func valid(_ text: String, as value: Value, today: LocalDay) -> Bool {
        switch value {
        case .day: PeriodText.day(text, today: today) != nil
        case .week: PeriodText.week(text, today: today) != nil
        case .month: PeriodText.month(text, today: today) != nil
        case .survey: !text.isEmpty && !text.hasPrefix(".") && !text.contains("..")
        case .count: text.count <= 4 && Int(text).map { (0...1000).contains($0) } ?? false
        case .choice(let choices): choices.contains(text)
        }
    }

    static func expected(_ value: Value) -> String {
        switch value {
        case .day: "today, yesterday or YYYY-MM-DD"
        case .week: "this, last or YYYY-Www"
        case .month: "this, last or YYYY-MM"
        case .survey: "a survey name of letters, digits, - _ and ."
        case .count: "a number from 0 to 1000"
        case .choice(let choices): "one of " + choices.joined(separator: ", ")
        }
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": "a line break"
        case "\r": "a carriage return"
        case "\t": "a tab"
        case "\0": "a NUL byte"
        default:
            scalar.properties.generalCategory == .control || !scalar.isASCII
                ? "the character U+\(String(scalar.value, radix: 16, uppercase: true))"
                : "the character \(JSONValue.quote(String(scalar)))"
        }
    }

    static func shown(_ text: String) -> String { PeriodOptions.shown(text) }

    static var helpText: String {
        """
        This key may run smileyctl's read-only commands (smileyctl before them is optional):
          summary  [--day D | --week [W] | --month [M] | --from D --to D] [--survey S] [--include-misuse] [--format table|csv|json]
          status   [--format table|json]
          export   [period] [--survey S] [--format csv|json]
          tail     [--lines N] [--survey S] [--format text|json]
          report   [period] [--survey S] [--include-misuse] [--format html|text|json]
        D: today, yesterday or YYYY-MM-DD; W: this, last or YYYY-Www; M: this, last or YYYY-MM.
        Add --help after a command for more. Example: ssh kiosk summary --week last

        """
    }
}
