import Foundation
import SmileyCollector
import Testing

/// smiley-collector.yaml is read with smiley.yaml's reader: every problem at once, located.
@Suite struct CollectorConfigTests {
    @Test func everyProblemIsReportedInFileOrderWithItsLine() {
        let folder = Folder()
        let path = folder.write("collector.yaml", "prot: 80\nmax-body-bytes: 10\ntokens-file: [a]\n")
        do {
            _ = try CollectorConfiguration.load(path: path)
            Issue.record("expected an error")
        } catch {
            let lines = error.description.split(separator: "\n").map(String.init)
            #expect(lines.count == 4, "\(error)")
            // Both at 1:1 (a missing key is located at the mapping), in the order they were found.
            #expect(lines.first?.hasPrefix("\(path):1:1: prot: unknown key; did you mean port?") == true, "\(error)")
            #expect(lines.dropFirst().first?.hasPrefix("\(path):1:1: database: required") == true)
            #expect(lines.dropFirst(2).first?.hasPrefix("\(path):2:17: max-body-bytes: \"10\" is not allowed") == true)
            #expect(lines.last?.hasPrefix("\(path):3:14: tokens-file: expected a single value, got a list") == true)
            #expect(error.exitCode == 78)
        }
    }

    @Test func smileyYamlKeysGetNoSmileyHints() {
        let folder = Folder()
        let path = folder.write("collector.yaml", "database: c\ntokens-file: t\nbatch-size: 10\n")
        do {
            _ = try CollectorConfiguration.load(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("batch-size: unknown key; allowed keys here: host, port"), "\(error)")
            #expect(!error.description.contains("upstream"))
        }
    }

    @Test func tlsHalfGivenIsLocated() {
        let folder = Folder()
        let path = folder.write("collector.yaml", "database: c\ntokens-file: t\ntls-key: k.pem\n")
        #expect {
            _ = try CollectorConfiguration.load(path: path)
        } throws: { error in
            (error as? CollectorConfigError)?.description.hasPrefix("\(path):3:10: tls-key: tls-certificate and "
                + "tls-key go together") == true
        }
    }
}
