import ArgumentParser

/// `smiley-collector token …`: credentials, stored in the database as SHA-256 digests only.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make, list, revoke and import credentials (terminal, viewer, admin).",
        discussion: """
            A terminal credential posts its own terminal's batches and heartbeats for its site and reads \
            nothing; a viewer reads its sites and regions; an admin reads everything and posts nothing. \
            Tokens are printed once and stored only as their SHA-256 digest; a revoked token is refused \
            at once by every collector on the database.
            """,
        subcommands: [TokenAdd.self, TokenList.self, TokenRevoke.self, TokenImport.self])
}
