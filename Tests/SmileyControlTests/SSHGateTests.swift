import Foundation
import Testing
@testable import SmileyControl

@Suite("ssh-gate policy")
struct SSHGatePolicyTests {
    @Test("read-only commands pass with their checked options, as an argument list", arguments: [
        (nil, ["summary"]),
        ("", ["summary"]),
        ("   ", ["summary"]),
        ("summary", ["summary"]),
        ("smileyctl summary --week", ["summary", "--week"]),
        ("smileyctl   summary  --week --format json", ["summary", "--week", "--format", "json"]),
        ("summary --day 2026-11-22 --format csv", ["summary", "--day", "2026-11-22", "--format", "csv"]),
        ("summary --month last --survey checkout-v2 --include-misuse",
         ["summary", "--month", "last", "--survey", "checkout-v2", "--include-misuse"]),
        ("status --format=json", ["status", "--format", "json"]),
        ("export --from 2026-11-01 --to today --format json", ["export", "--from", "2026-11-01", "--to", "today", "--format", "json"]),
        ("tail -n 5", ["tail", "-n", "5"]),
        ("tail --lines=0 --format json", ["tail", "--lines", "0", "--format", "json"]),
        ("report --format html --week 2026-W47", ["report", "--format", "html", "--week", "2026-W47"]),
        ("summary --help", ["summary", "--help"]),
        ("--version", ["--version"]),
    ] as [(String?, [String])])
    func allowed(command: String?, arguments: [String]) {
        #expect(SSHGatePolicy.decide(command) == .success(.run(arguments)))
    }

    @Test("help shows what the key may run")
    func help() {
        #expect(SSHGatePolicy.decide("help") == .success(.help))
        #expect(SSHGatePolicy.decide("smileyctl --help") == .success(.help))
        #expect(SSHGatePolicy.helpText.contains("summary  [--day D"))
    }

    static let longArgument = String(repeating: "a", count: 100 * 1024)

    @Test("hostile or malformed input is refused as a usage error (64), with the reason", arguments: [
        ("summary; rm -rf /", "the character \";\" is not allowed"),
        ("summary | cat /etc/shadow", "the character \"|\" is not allowed"),
        ("summary && reboot", "the character \"&\" is not allowed"),
        ("summary $(reboot)", "the character \"$\" is not allowed"),
        ("summary `reboot`", "the character \"`\" is not allowed"),
        ("summary\nreboot", "a line break is not allowed"),
        ("summary\r", "a carriage return is not allowed"),
        ("summary\u{0}reboot", "a NUL byte is not allowed"),
        ("summary\treboot", "a tab is not allowed"),
        ("summary > /tmp/x", "the character \">\" is not allowed"),
        ("summary 'x'", "the character \"'\" is not allowed"),
        ("summary --survey \"x\"", "the character \"\\\"\" is not allowed"),
        ("summary --survey ../../etc/passwd", "the character \"/\" is not allowed"),
        ("/usr/bin/smileyctl summary", "the character \"/\" is not allowed"),
        ("summary --survey ..", "--survey \"..\" is not allowed"),
        ("export --survey ..secret", "--survey \"..secret\" is not allowed"),
        ("summary --day ..", "--day \"..\" is not allowed; expected today, yesterday or YYYY-MM-DD"),
        ("summary --day 2026-02-30", "--day \"2026-02-30\" is not allowed"),
        ("summary --week 2025-W53", "--week \"2025-W53\" is not allowed"),
        ("summary --format xml", "expected one of table, csv, json"),
        ("summary --day", "--day needs a value"),
        ("summary --verbose", "unknown option \"--verbose\" for summary"),
        ("status --day today", "unknown option \"--day\" for status"),
        ("summary extra", "takes no arguments without an option name"),
        ("summary --include-misuse=yes", "--include-misuse takes no value"),
        ("tail -n 5000", "expected a number from 0 to 1000"),
        ("tail -n -1", "-n needs a value"),
        ("summary --survey " + String(repeating: "s", count: 65), "65 characters long; at most 64"),
        ("summary --day=" + String(repeating: "1", count: 70), "characters long; at most 64"),
        ("summary --survey " + longArgument, "bytes long; at most 1024"),
        ("summary ä", "the character U+E4 is not allowed"),
        ("summary --survey=--generate-completion-script=bash", "a value cannot start with -"),
        ("summary --day=--help", "a value cannot start with -"),
        ("summary --week=-W47", "a value cannot start with -"),
    ])
    func refusedAsUsage(command: String, reason: String) {
        guard case .failure(let refusal) = SSHGatePolicy.decide(command) else {
            Issue.record("\(command.prefix(60)) was allowed")
            return
        }
        #expect(refusal.exitCode == 64, "\(refusal)")
        #expect(refusal.description.contains(reason), "\(refusal)")
    }

    @Test("writing subcommands, other programs and options that write or choose files are forbidden (77)", arguments: [
        ("sync --retry-quarantined", "changes the terminal"),
        ("ssh-gate", "changes the terminal"),
        ("rm -rf tmp", "\"rm\" is not something this key may run"),
        ("bash", "\"bash\" is not something this key may run"),
        ("scp -t tmp", "\"scp\" is not something this key may run"),
        ("smileyctl smileyd", "\"smileyd\" is not something this key may run"),
        ("report --output report.html", "--output is not allowed for this key"),
        ("report --output=..", "--output is not allowed for this key"),
        ("report --end-of-day", "--end-of-day is not allowed"),
        ("summary --config evil.yaml", "--config is not allowed for this key"),
        ("summary --config=..", "--config is not allowed for this key"),
    ])
    func forbidden(command: String, reason: String) {
        guard case .failure(let refusal) = SSHGatePolicy.decide(command) else {
            Issue.record("\(command) was allowed")
            return
        }
        #expect(refusal.exitCode == 77, "\(refusal)")
        #expect(refusal.description.contains(reason), "\(refusal)")
    }
}

@Suite("ssh-gate option table")
struct GateOptionTableTests {
    @Test("the options are smileyctl's own declarations, with their values' kinds")
    func derived() throws {
        let table = SSHGatePolicy.table.subcommands
        #expect(Set(table.keys) == Set(SSHGatePolicy.readOnlySubcommands))
        #expect(table["summary"]?["--day"] == .allowed(.value(.day)))
        #expect(table["summary"]?["--week"] == .allowed(.optionalValue(.week)))
        #expect(table["summary"]?["--format"] == .allowed(.value(.choice(["table", "csv", "json"]))))
        #expect(table["summary"]?["--include-misuse"] == .allowed(.flag))
        #expect(table["tail"]?["-n"] == .allowed(.value(.count)))
        #expect(table["tail"]?["--lines"] == .allowed(.value(.count)))
        #expect(table["status"]?["--format"] == .allowed(.value(.choice(["table", "json"]))))
        #expect(table["status"]?["--day"] == nil)
        guard case .forbidden = table["report"]?["--output"], case .forbidden = table["summary"]?["--config"] else {
            Issue.record("--output and --config must be declared and forbidden: \(String(describing: table["report"]))")
            return
        }
    }

    @Test("an option whose value the gate cannot check is refused, not passed on")
    func uncheckedRefused() {
        let argument = GateOptionTable.ToolInfo.Argument(kind: "option", names: nil, valueName: "path", allValues: nil)
        #expect(GateOptionTable.entry("--database", argument) == .unchecked(valueName: "path"))
        #expect(GateOptionTable.entry("--config", argument) == .forbidden(GateOptionTable.forbiddenOptions["--config"] ?? ""))
    }
}

@Suite("ssh-gate audit log")
struct SSHGateLogTests {
    @Test("every verdict names who, from where, what and why")
    func lines() {
        #expect(SSHGateCommand.logLine(verdict: "allowed", command: "summary --week", detail: "runs smileyctl summary --week",
                                       user: "staff", client: "192.0.2.7 50122 22")
            == "allowed \"summary --week\" for staff from 192.0.2.7: runs smileyctl summary --week")
        #expect(SSHGateCommand.logLine(verdict: "refused", command: "summary; rm", detail: "the character \";\" is not allowed",
                                       user: "staff", client: nil)
            == "refused \"summary; rm\" for staff: the character \";\" is not allowed")
        let long = SSHGateCommand.logLine(verdict: "refused", command: String(repeating: "x", count: 5000), detail: "too long",
                                          user: "staff", client: nil)
        #expect(long.count < 260)
        #expect(SSHGateCommand.logLine(verdict: "allowed", command: nil, detail: "runs smileyctl summary", user: "u", client: nil)
            == "allowed \"\" for u: runs smileyctl summary")
    }
}

/// The built smileyctl as a forced command, with SSH_ORIGINAL_COMMAND set as sshd sets it.
@Suite("smileyctl ssh-gate")
struct SSHGateProcessTests {
    func gate(_ terminal: TestTerminal, _ command: String?, gateArguments: [String] = []) async throws -> ProcessResult {
        var environment: [String: String] = [:]
        if let command { environment["SSH_ORIGINAL_COMMAND"] = command }
        return try await terminal.run(["ssh-gate"] + gateArguments, environment: environment)
    }

    @Test("an allowed command runs smileyctl itself and prints its output")
    func runs() async throws {
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-11-22", hour: 12, [0, 0, 5, 10]))
        let json = try await gate(terminal, "smileyctl summary --format json").object()
        #expect(json.int("counted") == 15)
        let csv = try await gate(terminal, "export --format csv")
        #expect(csv.status == 0)
        #expect(csv.stdout.split(separator: "\n").count == 16)
        let plain = try await gate(terminal, nil)
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("Satisfaction index"))
        let help = try await gate(terminal, "help")
        #expect(help.status == 0 && help.stdout.contains("This key may run smileyctl's read-only commands"))
    }

    @Test("the gate's own --config (from authorized_keys) is passed on")
    func configPassedOn() async throws {
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-11-22", hour: 12, [0, 0, 0, 3]))
        let result = try await runProcessAsync(Binaries.smileyctl, ["ssh-gate", "--config", terminal.config], environment: [
            "SSH_ORIGINAL_COMMAND": "summary --format json", "SMILEY_NOW": "2026-11-22T20:00:00+02:00",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try result.object().int("counted") == 3)
    }

    @Test("hostile commands are refused before anything runs", arguments: [
        "summary; touch MARKER", "summary && touch MARKER", "summary | touch MARKER", "summary $(touch MARKER)",
        "summary `touch MARKER`", "summary\ntouch MARKER", "touch MARKER", "sh -c touch", "summary --survey ../MARKER",
    ])
    func hostile(command: String) async throws {
        let terminal = TestTerminal()
        try await terminal.store([])
        let marker = terminal.folder.file("pwned")
        let result = try await gate(terminal, command.replacingOccurrences(of: "MARKER", with: marker))
        #expect(result.status == 64 || result.status == 77)
        #expect(result.stderr.hasPrefix("smileyctl ssh-gate: refused: "), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("statuses: 64 malformed, 77 not allowed; a 100 KB argument is refused")
    func statuses() async throws {
        let terminal = TestTerminal()
        try await terminal.store([])
        #expect(try await gate(terminal, "sync --retry-quarantined").status == 77)
        #expect(try await gate(terminal, "report --end-of-day").status == 77)
        #expect(try await gate(terminal, "summary --bogus").status == 64)
        let completion = try await gate(terminal, "summary --survey=--generate-completion-script=bash")
        #expect(completion.status == 64)
        #expect(completion.stdout.isEmpty, "\(completion.stdout.prefix(200))")
        let long = try await gate(terminal, "summary --survey " + String(repeating: "x", count: 100 * 1024))
        #expect(long.status == 64)
        #expect(long.stderr.contains("bytes long; at most 1024"))
    }
}
