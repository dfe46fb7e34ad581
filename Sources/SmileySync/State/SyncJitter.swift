/// The random draws of the backoff's full jitter, as a value the machine carries: seeded by the
/// shell from the system's generator, fixed by tests (SplitMix64).
public struct SyncJitter: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// Seeded from the system's generator.
    public static func random() -> SyncJitter {
        var system = SystemRandomNumberGenerator()
        return SyncJitter(seed: system.next())
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
