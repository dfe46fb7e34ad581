import SmileyCore

/// What a staff SSH key may run. Pure: the text of `SSH_ORIGINAL_COMMAND` in, the argument list to
/// run smileyctl with (never a shell command) or a refusal out.
///
/// Allowed: `[smileyctl] SUBCOMMAND [OPTIONS]` for the read-only subcommands summary, status,
/// export, tail and report, with each option's value checked as the subcommand would. Refused:
/// any character outside letters, digits, space and `- _ . =` (so `;`, `|`, `&&`, `$(…)`,
/// backticks, quotes, redirections, line breaks and NUL bytes never get anywhere), more than
/// 1024 bytes or an argument over 64 characters, unknown subcommands and options, positional
/// arguments, and options that write or choose files (`--output`, `--end-of-day`, `--config`).
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

    enum Value {
        case day, week, month, survey, count
        case choice([String])
    }

    enum OptionKind {
        case flag
        case value(Value)
        /// `--week` / `--month`: a value, or none (this week / month).
        case optionalValue(Value)
    }

    static let periodOptions: [String: OptionKind] = [
        "--day": .value(.day), "--week": .optionalValue(.week), "--month": .optionalValue(.month),
        "--from": .value(.day), "--to": .value(.day),
    ]
    static let common: [String: OptionKind] = ["--help": .flag, "-h": .flag]

    static let options: [String: [String: OptionKind]] = [
        "summary": common.merging(periodOptions) { a, _ in a }.merging([
            "--survey": .value(.survey), "--include-misuse": .flag,
            "--format": .value(.choice(["table", "csv", "json"])),
        ]) { a, _ in a },
        "status": common.merging(["--format": .value(.choice(["table", "json"]))]) { a, _ in a },
        "export": common.merging(periodOptions) { a, _ in a }.merging([
            "--survey": .value(.survey), "--format": .value(.choice(["csv", "json"])),
        ]) { a, _ in a },
        "tail": common.merging([
            "--lines": .value(.count), "-n": .value(.count), "--survey": .value(.survey),
            "--format": .value(.choice(["text", "json"])),
        ]) { a, _ in a },
        "report": common.merging(periodOptions) { a, _ in a }.merging([
            "--survey": .value(.survey), "--include-misuse": .flag,
            "--format": .value(.choice(["html", "text", "json"])),
        ]) { a, _ in a },
    ]

    /// Options that exist but are not for a staff key, and why.
    static let forbiddenOptions: [String: String] = [
        "--config": "the configuration is fixed for this key",
        "--output": "it writes a file on the terminal; redirect the output on your side instead (> report.html)",
        "--end-of-day": "it writes the report files; smiley-report.timer does that",
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
        guard let spec = options[subcommand] else {
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
            if let why = forbiddenOptions[name] {
                return .failure(.forbidden("\(name) is not allowed for this key: \(why)"))
            }
            guard let kind = spec[name] else {
                let known = spec.keys.filter { $0.hasPrefix("--") }.sorted().joined(separator: ", ")
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
        return .success(.run(result))
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
