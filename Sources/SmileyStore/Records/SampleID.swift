import Foundation

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

    /// A fast generator for the random bits (xoshiro256**, seeded from the system's generator):
    /// ids must be unique, not secret, and asking the kernel twice per press costs a syscall each.
    public struct Generator: RandomNumberGenerator, Sendable {
        private var s: (UInt64, UInt64, UInt64, UInt64)

        public init() {
            var system = SystemRandomNumberGenerator()
            s = (system.next(), system.next(), system.next(), system.next() | 1)
        }

        public mutating func next() -> UInt64 {
            let result = rotl(s.1 &* 5, 7) &* 9
            let t = s.1 << 17
            s.2 ^= s.0
            s.3 ^= s.1
            s.1 ^= s.2
            s.0 ^= s.3
            s.2 ^= t
            s.3 = rotl(s.3, 45)
            return result
        }

        private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
    }

    /// The Unix milliseconds in a v7 id.
    public static func unixMs(of id: UUID) -> Int64 {
        let u = id.uuid
        let bytes = [u.0, u.1, u.2, u.3, u.4, u.5]
        return Int64(bytes.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) })
    }
}
