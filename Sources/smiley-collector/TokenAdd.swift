import ArgumentParser
import Foundation
import SmileyCollector

/// `smiley-collector token add --terminal T --site S | --viewer --site S… --region R… | --admin`.
struct TokenAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Make a credential and print its token once (on standard output).",
        discussion: """
            --terminal T --site S: the terminal's own token; it belongs to site S from now on. \
            --viewer with --site and/or --region (each repeatable): reads those sites. --admin: reads all. \
            The token (64 hex digits from the system's random source) is shown only now; the database \
            keeps its SHA-256 digest. Exit 64 for a wrong combination of options, 65 for an unknown site \
            or region or a terminal of another site.
            """)

    @OptionGroup var options: CommonOptions

    @Option(name: .long, help: ArgumentHelp("A terminal credential for this terminal id (with exactly one --site).", valueName: "terminal"))
    var terminal: String?

    @Flag(name: .long, help: "A viewer credential: reads the --site and --region given.")
    var viewer = false

    @Flag(name: .long, help: "An admin credential: reads every site; posts nothing.")
    var admin = false

    @Option(name: .customLong("site"), help: ArgumentHelp("A site: the terminal's (one), or one a viewer reads (repeatable).", valueName: "site"))
    var sites: [String] = []

    @Option(name: .customLong("region"), help: ArgumentHelp("A region whose every site a viewer reads (repeatable).", valueName: "region"))
    var regions: [String] = []

    @Option(name: .long, help: ArgumentHelp("Output: text (the token alone) or json (id, kind, scope, token).", valueName: "format"))
    var format: OutputFormat = .text

    func validate() throws {
        let kinds = [terminal != nil, viewer, admin].filter { $0 }.count
        guard kinds == 1 else { throw ValidationError("give exactly one of --terminal T, --viewer, --admin") }
        if terminal != nil {
            guard sites.count == 1, regions.isEmpty else {
                throw ValidationError("--terminal takes exactly one --site (the terminal's) and no --region")
            }
        }
        if viewer, sites.isEmpty, regions.isEmpty { throw ValidationError("--viewer needs at least one --site or --region") }
        if admin, !(sites.isEmpty && regions.isEmpty) { throw ValidationError("--admin reads every site; drop --site and --region") }
    }

    var scope: CredentialScope {
        if let terminal { return .terminal(terminal, site: sites.first ?? "") }
        if viewer { return .viewer(sites: sites, regions: regions) }
        return .admin
    }

    struct Made: Encodable {
        var id: Int64
        var kind: String
        var scope: String
        var token: String
    }

    func run() async throws {
        try await options.reportingFailures {
            if let terminal, let problem = OrganisationName.problem(terminal, what: "terminal id") { throw OrganisationError(problem) }
            let token = TokenDigest.newToken()
            let scope = self.scope
            let id = try await options.withStorage { storage in
                try await storage.addCredential(scope, digest: TokenDigest.of(token), createdAtMs: CommonOptions.nowMs())
            }
            switch format {
            case .text:
                FileHandle.standardOutput.write(Data("\(token)\n".utf8))
                FileHandle.standardError.write(Data("smiley-collector: credential \(id) (\(scope.kind): \(scope.summary)) added; its token, above, is shown only now\n".utf8))
            case .json:
                try format.print(header: [], rows: [], json: Made(id: id, kind: scope.kind, scope: scope.summary, token: token))
            }
        }
    }
}
