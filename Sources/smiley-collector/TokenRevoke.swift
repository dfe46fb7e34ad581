import ArgumentParser
import Foundation
import SmileyCollector

/// `smiley-collector token revoke ID`.
struct TokenRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a credential: every collector on the database refuses its token from now on (401).",
        discussion: "The credential stays listed with the time it was revoked. Exit 65 when there is no such id.")

    @OptionGroup var options: CommonOptions

    @Argument(help: ArgumentHelp("The credential's id (from token list).", valueName: "id"))
    var id: Int64

    func run() async throws {
        try await options.reportingFailures {
            let found = try await options.withStorage { storage in
                try await storage.revokeCredential(id: id, atMs: CommonOptions.nowMs())
            }
            guard found else { throw OrganisationError("there is no credential \(id); see smiley-collector token list") }
            FileHandle.standardOutput.write(Data("revoked \(id)\n".utf8))
        }
    }
}
