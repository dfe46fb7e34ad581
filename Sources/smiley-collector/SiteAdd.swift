import ArgumentParser
import Foundation
import SmileyCollector

/// `smiley-collector site add ID --region R --time-zone Z [--opening-hours …]`.
struct SiteAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a site to a region (the region is created with its first site).",
        discussion: """
            Opening hours: entries `DAYS HH:MM-HH:MM` separated by commas, days `mon`…`sun` or a range \
            such as `mon-fri`; a day not named is closed; `24:00` ends a day. Example: \
            "mon-fri 08:00-20:00, sat 09:00-18:00". Exit 65 for a site that exists, an unknown time zone \
            or bad opening hours.
            """)

    @OptionGroup var options: CommonOptions

    @Argument(help: ArgumentHelp("The site's id: letters, digits, '.', '_' and '-'; what terminals send as `site`.", valueName: "id"))
    var id: String

    @Option(name: .long, help: ArgumentHelp("The region the site belongs to.", valueName: "region"))
    var region: String

    @Option(name: .customLong("time-zone"), help: ArgumentHelp("The site's IANA time zone, e.g. Europe/Helsinki (checked against the system's tz database).", valueName: "zone"))
    var timeZone: String

    @Option(name: .customLong("opening-hours"), help: ArgumentHelp("The site's opening hours, e.g. \"mon-fri 08:00-20:00, sat 09:00-18:00\".", valueName: "hours"))
    var openingHours: String?

    @Option(name: .long, help: ArgumentHelp("Output: text (tab-separated) or json.", valueName: "format"))
    var format: OutputFormat = .text

    func run() async throws {
        try await options.reportingFailures {
            let site = try Site(id: id, region: region, timeZone: timeZone, openingHours: openingHours)
            try await options.withStorage { storage in try await storage.addSite(site) }
            try format.print(header: SiteList.header, rows: [SiteList.row(site)], json: site)
        }
    }
}
