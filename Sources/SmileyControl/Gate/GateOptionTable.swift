import ArgumentParser
import Foundation

/// The options each smileyctl subcommand declares, read from ArgumentParser's own description of
/// `SmileyctlCommand` (`_dumpHelp()`), so the gate never re-declares an option: a staff key may
/// use an option only when the subcommand has it and the gate knows how to check its value.
struct GateOptionTable: Sendable {
    /// What an option's value must look like, chosen by the value name its help shows.
    enum Value: Equatable, Sendable {
        case day, week, month, survey, count
        case choice([String])
    }

    enum OptionKind: Equatable, Sendable {
        case flag
        case value(Value)
        /// `--week` / `--month`: a value, or none (this week / month).
        case optionalValue(Value)
    }

    enum Entry: Equatable, Sendable {
        case allowed(OptionKind)
        /// Declared by the subcommand but not for a staff key; the value says why.
        case forbidden(String)
        /// Declared, but its value is of a kind the gate does not check: refused (fail closed).
        case unchecked(valueName: String)
    }

    /// Subcommand name -> option spelling (`--day`, `-n`) -> entry.
    let subcommands: [String: [String: Entry]]

    /// Options that exist but are not for a staff key, and why.
    static let forbiddenOptions: [String: String] = [
        "--config": "the configuration is fixed for this key",
        "--output": "it writes a file on the terminal; redirect the output on your side instead (> report.html)",
        "--end-of-day": "it writes the report files; smiley-report.timer does that",
    ]

    /// How a value name in smileyctl's help is checked.
    static let valueKinds: [String: Value] = [
        "day": .day, "week": .week, "month": .month, "name": .survey, "count": .count,
    ]

    /// The table for `subcommands` of smileyctl, from its ArgumentParser declarations.
    static func derived(for subcommands: [String]) -> GateOptionTable {
        let info: ToolInfo
        do {
            info = try JSONDecoder().decode(ToolInfo.self, from: Data(SmileyctlCommand._dumpHelp().utf8))
        } catch {
            // ArgumentParser's own output not decoding is a programming error; an empty table
            // refuses every option (fail closed), and the tests catch it.
            return GateOptionTable(subcommands: [:])
        }
        var table: [String: [String: Entry]] = [:]
        for command in info.command.subcommands ?? [] where subcommands.contains(command.commandName) {
            var entries: [String: Entry] = [:]
            for argument in command.arguments ?? [] {
                for name in argument.names ?? [] {
                    let spelling = name.kind == "short" ? "-" + name.name : "--" + name.name
                    entries[spelling] = entry(spelling, argument)
                }
            }
            table[command.commandName] = entries
        }
        return GateOptionTable(subcommands: table)
    }

    static func entry(_ spelling: String, _ argument: ToolInfo.Argument) -> Entry {
        if let why = forbiddenOptions[spelling] { return .forbidden(why) }
        switch argument.kind {
        case "flag":
            return .allowed(.flag)
        case "option":
            let value: Value
            if let choices = argument.allValues, !choices.isEmpty {
                value = .choice(choices)
            } else if let known = argument.valueName.flatMap({ valueKinds[$0] }) {
                value = known
            } else {
                return .unchecked(valueName: argument.valueName ?? "value")
            }
            return .allowed(OptionalValueOptions.options[spelling] != nil ? .optionalValue(value) : .value(value))
        default:
            return .unchecked(valueName: argument.valueName ?? argument.kind)
        }
    }

    /// The part of ArgumentParser's tool description the gate reads.
    struct ToolInfo: Decodable {
        struct Name: Decodable { let kind: String; let name: String }
        struct Argument: Decodable {
            let kind: String
            let names: [Name]?
            let valueName: String?
            let allValues: [String]?
        }
        struct Command: Decodable {
            let commandName: String
            let arguments: [Argument]?
            let subcommands: [Command]?
        }
        let command: Command
    }
}
