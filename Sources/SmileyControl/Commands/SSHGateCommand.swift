import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `smileyctl ssh-gate`: the forced command of a staff SSH key.
struct SSHGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh-gate",
        abstract: "Forced command for staff SSH keys: runs only read-only smileyctl commands.",
        discussion: """
            Put it before a staff key in ~smiley/.ssh/authorized_keys (or use ForceCommand):

              restrict,command="/usr/bin/smileyctl ssh-gate" ssh-ed25519 AAAA… staff@laptop

            Staff then run e.g. `ssh kiosk summary --week last` or `ssh kiosk smileyctl tail`. The \
            gate reads SSH_ORIGINAL_COMMAND, allows summary, status, export, tail and report with \
            checked options, and runs smileyctl directly (exec, no shell). Anything else is refused \
            with a message on stderr, status 64 (malformed) or 77 (not allowed), and a line in the \
            system log. With no command (a plain `ssh kiosk`) it shows today's summary. A --config \
            given here (in authorized_keys) is passed on; staff cannot choose another.
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let command = ProcessInfo.processInfo.environment["SSH_ORIGINAL_COMMAND"]
        switch SSHGatePolicy.decide(command) {
        case .success(.help):
            Self.log(verdict: "allowed", command: command, detail: "help")
            try? StandardOutput.write(SSHGatePolicy.helpText)
        case .success(.run(var arguments)):
            Self.log(verdict: "allowed", command: command, detail: "runs smileyctl " + arguments.joined(separator: " "))
            if let config = global.config, arguments.first != "--version" {
                arguments.insert(contentsOf: ["--config", config], at: 1)
            }
            let failure = Self.exec(arguments)
            StandardOutput.error("smileyctl ssh-gate: cannot run smileyctl: \(String(cString: strerror(failure)))\n")
            throw ExitCode(71)  // EX_OSERR
        case .failure(let refusal):
            Self.log(verdict: "refused", command: command, detail: refusal.description)
            StandardOutput.error("smileyctl ssh-gate: refused: \(refusal.description)\n")
            throw ExitCode(refusal.exitCode)
        }
    }

    /// Replaces this process with smileyctl itself and `arguments`; returns errno if that fails.
    static func exec(_ arguments: [String]) -> Int32 {
        let path = "/proc/self/exe"
        var argv: [UnsafeMutablePointer<CChar>?] = (["smileyctl"] + arguments).map { strdup($0) }
        argv.append(nil)
        execv(path, &argv)
        let failure = errno
        for pointer in argv { free(pointer) }
        return failure
    }

    /// One line per command to the system log (auth facility, so the journal): who, from where,
    /// what, and the verdict — for whoever audits the terminal.
    static func log(verdict: String, command: String?, detail: String) {
        let environment = ProcessInfo.processInfo.environment
        let line = logLine(verdict: verdict, command: command, detail: detail, user: currentUser(),
                           client: environment["SSH_CLIENT"])
        openlog("smileyctl-ssh-gate", LOG_PID, LOG_AUTHPRIV)
        withVaList([line]) { vsyslog(verdict == "allowed" ? LOG_INFO : LOG_WARNING, "%s", $0) }
        closelog()
    }

    /// `refused "summary; rm" for staff from 192.0.2.7: the character ";" is not allowed`
    static func logLine(verdict: String, command: String?, detail: String, user: String, client: String?) -> String {
        let what = JSONValue.quote(String((command ?? "").prefix(200)))
        let from = client.map { " from \($0.split(separator: " ").first ?? "")" } ?? ""
        return "\(verdict) \(what) for \(user)\(from): \(detail)"
    }

    static func currentUser() -> String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}
