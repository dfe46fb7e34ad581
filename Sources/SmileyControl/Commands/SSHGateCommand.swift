import ArgumentParser
import Foundation
import SmileyCore
#if canImport(Glibc)
import Glibc
#endif

/// `smileyctl ssh-gate`: the forced command of a staff SSH key.
struct SSHGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh-gate",
        abstract: "Forced command for staff SSH keys: runs only read-only smileyctl commands.",
        discussion: """
            The forced command of the staff account smiley-staff: the package's \
            /etc/ssh/sshd_config.d/smiley-staff.conf runs it for every key in \
            /etc/smiley/staff_authorized_keys (see docs/reports.md), whatever the client asks for.

            Staff then run e.g. `ssh smiley-staff@kiosk summary --week last`. The gate reads \
            SSH_ORIGINAL_COMMAND, allows summary, status, export, tail and report with checked \
            options, and runs smileyctl directly (exec, no shell). Anything else is refused with a \
            message on stderr, status 64 (malformed) or 77 (not allowed), and a line in the system \
            log. With no command (a plain `ssh smiley-staff@kiosk`) it shows today's summary. A \
            --config given here (in the forced command) is passed on; staff cannot choose another.

            Each session is bounded before smileyctl starts: at most --max-sessions at once for the \
            user (default \(StaffSessionLimits.defaultMaxSessions); the next is refused with status 75), \
            \(StaffSessionLimits.dataBytes >> 20) MiB of data memory and \(StaffSessionLimits.openFiles) open \
            files a process, \(StaffSessionLimits.tasks) tasks for the user, no core dumps, nice \
            \(StaffSessionLimits.niceness) and an OOM score adjustment of \(StaffSessionLimits.oomScoreAdjust) \
            (smileyd's is -900).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(
        "How many staff sessions of this user may run at once (1–64); the next is refused with status 75.",
        valueName: "count"))
    var maxSessions = StaffSessionLimits.defaultMaxSessions

    func validate() throws {
        guard StaffSessionLimits.maxSessionsRange.contains(maxSessions) else {
            throw ValidationError("--max-sessions must be between \(StaffSessionLimits.maxSessionsRange.lowerBound) and "
                + "\(StaffSessionLimits.maxSessionsRange.upperBound); got \(maxSessions)")
        }
    }

    func run() throws {
        let command = ProcessInfo.processInfo.environment["SSH_ORIGINAL_COMMAND"]
        switch SSHGatePolicy.decide(command) {
        case .success(.help):
            Self.log(verdict: "allowed", command: command, detail: "help")
            try? StandardOutput.write(SSHGatePolicy.helpText)
        case .success(.run(var arguments)):
            switch StaffSessionLimits.claimSlot(uid: getuid(), maxSessions: maxSessions) {
            case .success:
                break  // the slot's descriptor stays open into smileyctl
            case .failure(.busy(let busy)):
                Self.log(verdict: "refused", command: command, detail: "busy: " + busy.description)
                StandardOutput.error("smileyctl ssh-gate: busy: \(busy.description)\n")
                throw ExitCode(75)  // EX_TEMPFAIL
            case .failure(.system(let failure)):
                StandardOutput.error("smileyctl ssh-gate: cannot claim a session slot: \(String(cString: strerror(failure)))\n")
                throw ExitCode(71)  // EX_OSERR
            }
            let failures = StaffSessionLimits.applyResourceLimits()
            guard failures.isEmpty else {
                StandardOutput.error("smileyctl ssh-gate: cannot bound the session: \(failures.joined(separator: "; "))\n")
                throw ExitCode(71)
            }
            let notes = StaffSessionLimits.applyPriority()
            Self.log(verdict: "allowed", command: command, detail: "runs smileyctl " + arguments.joined(separator: " ")
                + (notes.isEmpty ? "" : " (without " + notes.joined(separator: "; ") + ")"))
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
