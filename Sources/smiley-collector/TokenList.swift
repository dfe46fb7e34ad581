import ArgumentParser
import Foundation
import SmileyCollector
import SmileyCore

/// `smiley-collector token list`: never a token nor its digest.
struct TokenList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the credentials: id, kind, scope, created, revoked (- when not); never a token or its digest.")

    @OptionGroup var options: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Output: text (tab-separated, a header line first) or json.", valueName: "format"))
    var format: OutputFormat = .text

    struct Listed: Encodable {
        var id: Int64
        var kind: String
        var scope: String
        var created: String
        var revoked: String?
    }

    func run() async throws {
        try await options.reportingFailures {
            let listed = try await options.withStorage { storage in try await storage.credentials() }.map { credential in
                Listed(id: credential.id, kind: credential.scope.kind, scope: credential.scope.summary,
                       created: RFC3339.string(ms: credential.createdAtMs), revoked: credential.revokedAtMs.map { RFC3339.string(ms: $0) })
            }
            try format.print(header: ["ID", "KIND", "SCOPE", "CREATED", "REVOKED"],
                             rows: listed.map { ["\($0.id)", $0.kind, $0.scope, $0.created, $0.revoked ?? "-"] }, json: listed)
        }
    }
}
