import Foundation
import SmileyPlatform

/// Time-ordered sample ids (UUID version 7, RFC 9562): 48 bits of Unix milliseconds, then random.
/// Ordered ids keep the unique index appending, which is what lets group commit reach 100k rows/s.
public enum SampleID {
    public static func make(unixMs: Int64) -> UUID {
        var generator = SystemRandomNumberGenerator()
        return make(unixMs: unixMs, using: &generator)
    }

    public static func make<G: RandomNumberGenerator>(unixMs: Int64, using generator: inout G) -> UUID {
        let ms = UInt64(max(0, unixMs)) & 0xFFFF_FFFF_FFFF
        let random = generator.next()
        let random2 = generator.next()
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: ms >> (40 - 8 * UInt64(i))) }
        b[6] = 0x70 | UInt8(truncatingIfNeeded: random & 0x0F)
        b[7] = UInt8(truncatingIfNeeded: random >> 8)
        b[8] = 0x80 | UInt8(truncatingIfNeeded: (random >> 16) & 0x3F)
        for i in 9..<16 { b[i] = UInt8(truncatingIfNeeded: random2 >> (8 * UInt64(i - 9))) }
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    /// The random bits of sample ids, straight from the kernel's generator (getrandom(2), no file
    /// descriptor, so it works when descriptors run out), fetched 4 KiB at a time so a press costs
    /// no system call. Ids are shown in exports: they must not be predictable from one another.
    public struct Generator: RandomNumberGenerator, Sendable {
        private var pool: [UInt64] = []
        private var position = 0

        public init() {}

        public mutating func next() -> UInt64 {
            if position == pool.count {
                pool = KernelRandom.words(512)
                position = 0
            }
            defer { position += 1 }
            return pool[position]
        }
    }

    /// The Unix milliseconds in a v7 id.
    public static func unixMs(of id: UUID) -> Int64 {
        let u = id.uuid
        let bytes = [u.0, u.1, u.2, u.3, u.4, u.5]
        return Int64(bytes.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) })
    }
}
