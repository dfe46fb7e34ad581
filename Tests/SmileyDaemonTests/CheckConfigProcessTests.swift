import Foundation
import Testing

/// `smileyd --check-config` on a file with several mistakes: all of them, one per line, exit 78.
@Suite("smileyd --check-config reports every error", .timeLimit(.minutes(2)))
struct CheckConfigProcessTests {
    @Test func everyMistakeIsPrintedInFileOrder() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", ConfigFixtures.threeMistakes)
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config, "--check-config"])
        #expect(result.status == 78, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init).filter { $0.contains("smiley.yaml:") }
        #expect(lines.count == 3, "\(result.stderr)")
        #expect(lines.first?.contains("smiley.yaml:1:17: retention-days: 0 is out of range") == true, "\(result.stderr)")
        #expect(lines.dropFirst().first?.contains("smiley.yaml:2:11: timezone: unknown time zone") == true)
        #expect(lines.last?.contains("smiley.yaml:9:3: press.debounse-ms: unknown key") == true)
        #expect(result.stdout.isEmpty)
    }
}
