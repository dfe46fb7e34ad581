import ArgumentParser
import Foundation
import SmileyCollector

/// `smiley-collector site list`.
struct SiteList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the sites: id, region, time zone, opening hours (- when not set).")

    @OptionGroup var options: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Output: text (tab-separated, a header line first) or json.", valueName: "format"))
    var format: OutputFormat = .text

    static let header = ["ID", "REGION", "TIME-ZONE", "OPENING-HOURS"]

    static func row(_ site: Site) -> [String] { [site.id, site.region, site.timeZone, site.openingHours ?? "-"] }

    func run() async throws {
        try await options.reportingFailures {
            let sites = try await options.withStorage { storage in try await storage.sites() }
            try format.print(header: Self.header, rows: sites.map(Self.row), json: sites)
        }
    }
}
