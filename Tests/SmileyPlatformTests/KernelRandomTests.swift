import Foundation
import Testing
@testable import SmileyPlatform

@Suite("ids from the kernel's generator")
struct KernelRandomTests {
    @Test("version 4 UUIDs: the version and variant bits set, every other bit random, never repeated")
    func uuids() {
        var seen = Set<UUID>()
        var ones = [Int](repeating: 0, count: 128)
        for _ in 0..<20_000 {
            let id = KernelRandom.uuid()
            let text = id.uuidString
            #expect(Array(text)[14] == "4", "\(text)")
            #expect("89AB".contains(Array(text)[19]), "\(text)")
            #expect(seen.insert(id).inserted)
            withUnsafeBytes(of: id.uuid) { bytes in
                for bit in 0..<128 where bytes[bit / 8] & (1 << (bit % 8)) != 0 { ones[bit] += 1 }
            }
        }
        // Outside the 6 fixed bits, each bit is set about half the time (20,000 draws: 50 % ± 3 %).
        let fixed: Set<Int> = [52, 53, 54, 55, 70, 71]
        for bit in 0..<128 where !fixed.contains(bit) {
            #expect((9_400...10_600).contains(ones[bit]), "bit \(bit) set \(ones[bit]) times")
        }
    }

    @Test("words fill any count, and two draws differ")
    func words() {
        #expect(KernelRandom.words(0).isEmpty)
        let a = KernelRandom.words(1000), b = KernelRandom.words(1000)
        #expect(a.count == 1000 && b.count == 1000)
        #expect(a != b)
        #expect(Set(a).count == 1000)
    }
}
