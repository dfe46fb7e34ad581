// smiley-report-bench: how fast are summaries on ten years of a busy store? (`make bench-reports`)
//
// Generates (once; reused while its marker file exists) a database of 10,000,000 samples — ten
// years of a store open 08:00–21:00 in Europe/Helsinki, about 2,700 presses a day — with the real
// schema and migrations, then times the real summary code (SummaryEngine: the store's queries and
// the pure builder, exactly what `smileyctl summary` runs) and the smileyctl binary end to end.
// Not a test: it prints figures for docs/reports.md.
import Foundation
import SmileyCore

guard let zone = Zone(identifier: "Europe/Helsinki") else {
    FileHandle.standardError.write(Data("smiley-report-bench: Europe/Helsinki is not in the tz database at \(Zone.databaseDirectory)\n".utf8))
    exit(69)
}
do {
    try ReportBench.run(zone: zone)
} catch {
    FileHandle.standardError.write(Data("smiley-report-bench: \(error)\n".utf8))
    exit(1)
}
