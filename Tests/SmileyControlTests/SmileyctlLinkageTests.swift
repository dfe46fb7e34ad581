import Foundation
import Testing

/// smileyctl is the staff tool behind SSH: it must not carry an HTTP or TLS stack. Read from the
/// symbol table of the binary the package built (the debug build keeps its symbols).
@Suite("smileyctl links no HTTP or TLS stack", .timeLimit(.minutes(2)))
struct SmileyctlLinkageTests {
    /// Module names as they appear in mangled Swift symbols and the BoringSSL copy's C symbols.
    static let forbidden = ["NIOSSL", "BoringSSL", "AsyncHTTPClient", "CompressNIO", "NIOHTTP1", "NIOPosix"]

    static func symbols(_ binary: String) throws -> String {
        let result = try runProcess("/usr/bin/nm", [binary])
        #expect(result.status == 0, "nm \(binary): \(result.stderr)")
        return result.stdout
    }

    @Test("no NIOSSL, BoringSSL, AsyncHTTPClient, CompressNIO or NIO networking symbol in smileyctl")
    func smileyctlHasNone() throws {
        let symbols = try Self.symbols(Binaries.smileyctl)
        // The table was read: smileyctl's own modules are in it.
        #expect(symbols.contains("SmileyControl") && symbols.contains("SmileySyncControl"))
        for name in Self.forbidden {
            let hits = symbols.split(separator: "\n").filter { $0.contains(name) }
            #expect(hits.isEmpty, "\(name): \(hits.count) symbols, e.g. \(hits.prefix(3))")
        }
    }

    @Test("the same search finds them in smileyd, which syncs")
    func smileydHasThem() throws {
        let symbols = try Self.symbols(Binaries.smileyd)
        for name in ["NIOSSL", "AsyncHTTPClient", "CompressNIO"] {
            #expect(symbols.contains(name), "\(name) not found in smileyd's symbols")
        }
    }
}
