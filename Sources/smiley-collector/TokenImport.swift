import ArgumentParser
import Foundation
import SmileyCollector

/// `smiley-collector token import FILE --site S`: the legacy tokens file into the database.
struct TokenImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a tokens file (`terminal-id token` lines) as terminal credentials of one site.",
        discussion: """
            The file is checked as the collector checks its tokens-file (the collector's user's own, mode \
            0600; exit 78 otherwise). Every terminal in it becomes a terminal credential bound to --site \
            (which must exist); its token keeps working, now revocable. A token imported before is left \
            as it is. Nothing is imported when a terminal already belongs to another site (exit 65). Prints \
            one line per terminal: terminal, credential id, imported or present. Afterwards remove \
            tokens-file from the configuration.
            """)

    @OptionGroup var options: CommonOptions

    @Argument(help: ArgumentHelp("The tokens file: lines `terminal-id token`, # comments.", valueName: "file"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("The site every terminal of the file belongs to.", valueName: "site"))
    var site: String

    func run() async throws {
        try await options.reportingFailures {
            let table = try TokenTable.load(path: file)
            let lines = try await options.withStorage { storage -> [String] in
                guard try await storage.site(id: site) != nil else {
                    throw OrganisationError.unknownSite(site)
                }
                for (terminal, _) in table.digests {
                    if let problem = OrganisationName.problem(terminal, what: "terminal id") { throw OrganisationError("\(file): \(problem)") }
                    if let bound = try await storage.terminalSite(terminal), bound != site {
                        throw OrganisationError("\(file): terminal \(terminal) belongs to site \(bound), not \(site); nothing was imported")
                    }
                }
                var lines: [String] = []
                for (terminal, digest) in table.digests {
                    if let known = try await storage.credential(digest: digest) {
                        lines.append("\(terminal)\t\(known.id)\tpresent")
                    } else {
                        let id = try await storage.addCredential(.terminal(terminal, site: site), digest: digest,
                                                                 createdAtMs: CommonOptions.nowMs())
                        lines.append("\(terminal)\t\(id)\timported")
                    }
                }
                return lines
            }
            FileHandle.standardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
        }
    }
}
