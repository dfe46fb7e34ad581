import ArgumentParser

/// `smiley-collector site …`: the sites of the organisation (fleet → region → site → terminal).
struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Add and list sites (each in a region, with its time zone and opening hours).",
        subcommands: [SiteAdd.self, SiteList.self])
}
