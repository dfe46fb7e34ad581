import Foundation
import SmileyConfig
import Testing

@Suite struct PathAndLoadTests {
    @Test(arguments: [
        ("/opt/a.yaml", "/env/b.yaml", "/opt/a.yaml"),
        (nil, "/env/b.yaml", "/env/b.yaml"),
        (nil, nil, "/etc/smiley/smiley.yaml"),
        ("", "/env/b.yaml", "/env/b.yaml"),
        (nil, "", "/etc/smiley/smiley.yaml"),
    ] as [(String?, String?, String)])
    func resolvePathPrecedence(option: String?, fromEnvironment: String?, expected: String) {
        var environment = ["HOME": "/root"]
        environment["SMILEY_CONFIG"] = fromEnvironment
        #expect(ConfigLoader.resolvePath(option: option, environment: environment) == expected)
    }

    @Test func relativePathsResolveAgainstTheConfigFolder() throws {
        let config = try parse("""
            database: ../demo/smiley.sqlite
            runtime-directory: ./run
            input: replay
            replay:
              file: traces/morning.txt
            \(twoButtons)
            """, path: "/srv/smiley/config/smiley.yaml")
        #expect(config.database == "/srv/smiley/demo/smiley.sqlite")
        #expect(config.runtimeDirectory == "/srv/smiley/config/run")
        #expect(config.replay?.file == "/srv/smiley/config/traces/morning.txt")
    }

    @Test func absolutePathsStayAsWritten() throws {
        let config = try parse("database: /data/s.sqlite\nruntime-directory: /run/x\n" + twoButtons,
                               path: "/srv/smiley/smiley.yaml")
        #expect(config.database == "/data/s.sqlite")
        #expect(config.runtimeDirectory == "/run/x")
    }

    @Test func relativeConfigPathIsTakenFromTheCurrentDirectory() throws {
        let config = try parse("database: data/s.sqlite\n" + twoButtons, path: "examples/smiley.yaml")
        let cwd = FileManager.default.currentDirectoryPath
        let expected = URL(fileURLWithPath: cwd).appendingPathComponent("examples/data/s.sqlite").standardized.path
        #expect(config.database == expected)
    }

    @Test func loadReadsARealFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smiley-config-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("smiley.yaml")
        try ("terminal: t9\ndatabase: db/smiley.sqlite\n" + twoButtons).write(to: file, atomically: true, encoding: .utf8)

        let config = try ConfigLoader.load(path: file.path, environment: [:], hostName: "ignored")
        #expect(config.terminal == "t9")
        #expect(config.database == folder.appendingPathComponent("db/smiley.sqlite").path)
        #expect(config.buttons.map(\.name) == ["unhappy", "happy"])
    }

    @Test func loadReportsErrorsWithTheFilePath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smiley-config-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("smiley.yaml")
        try (twoButtons + "press:\n  debounse-ms: 1\n").write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try ConfigLoader.load(path: file.path, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("\(file.path):7:3: press.debounse-ms: unknown key"))
        }
    }

    @Test func loadOfAMissingFileSaysHowToNameAnother() {
        let path = "/nonexistent-\(UUID())/smiley.yaml"
        do {
            _ = try ConfigLoader.load(path: path, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.path == path)
            #expect(error.line == nil)
            #expect(error.message.contains("no such configuration file"))
            #expect(error.message.contains("--config PATH or SMILEY_CONFIG"))
            #expect(error.description.hasPrefix(path + ": "))
            #expect(error.exitCode == 78)
        }
    }

    @Test func loadOfAFolderIsAnError() {
        let path = FileManager.default.temporaryDirectory.path
        do {
            _ = try ConfigLoader.load(path: path, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("is a folder"))
            #expect(error.message.contains("--config PATH or SMILEY_CONFIG"))
        }
    }

    @Test func systemHostNameIsNotEmpty() {
        #expect(!ConfigLoader.systemHostName().isEmpty)
    }
}
