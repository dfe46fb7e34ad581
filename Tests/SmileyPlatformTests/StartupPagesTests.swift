import Foundation
import Testing
@testable import SmileyPlatform

@Suite("Giving back start-up code pages")
struct StartupPagesTests {
    @Test("only executable, private, file-backed mappings are chosen")
    func chooses() {
        let maps = """
            55d0e2a81000-55d0e5255000 r-xp 00000000 fe:01 1234                       /usr/bin/smileyd
            55d0e5256000-55d0e536b000 r--p 027d4000 fe:01 1234                       /usr/bin/smileyd
            55d0e536b000-55d0e787a000 rw-p 028e9000 fe:01 1234                       /usr/bin/smileyd
            7f0000000000-7f0000021000 rw-p 00000000 00:00 0
            7f1000000000-7f1000100000 r-xp 00028000 fe:01 99                         /usr/lib/x86_64-linux-gnu/libc.so.6
            7f2000000000-7f2000001000 r-xs 00000000 00:05 7                          /dev/shm/shared code
            7ffd1a3f0000-7ffd1a3f2000 r-xp 00000000 00:00 0                          [vdso]
            7f3000000000-7f3000010000 r-xp 00000000 fe:01 1234                       /usr/bin/smileyd (deleted)
            """
        let regions = StartupPages.codeRegions(inMaps: maps)
        #expect(regions == [0x55d0e2a81000..<0x55d0e5255000, 0x7f1000000000..<0x7f1000100000, 0x7f3000000000..<0x7f3000010000])
    }

    @Test("releasing this test process's own code pages lowers its resident file pages and it runs on")
    func releasesOwnPages() throws {
        func rssFileKB() throws -> Int {
            let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            let line = status.split(separator: "\n").first { $0.hasPrefix("RssFile:") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        let before = try rssFileKB()
        let released = StartupPages.release()
        let after = try rssFileKB()
        #expect(released.mappings > 0)
        #expect(released.bytes > 0)
        #expect(after < before, "RssFile \(before) kB before, \(after) kB after")
        // Code runs again: it is mapped back on use.
        #expect([3, 1, 2].sorted() == [1, 2, 3])
        #expect(try rssFileKB() > 0)
    }
}
