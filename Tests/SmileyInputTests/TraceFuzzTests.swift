import Testing
import SmileyTestSupport
import SmileyCore
@testable import SmileyInput

/// Seeded random mutations of valid traces: every one is read or refused with a clear message,
/// none traps or hangs. The seed is fixed, so a failure reproduces.
@Suite("Trace reader under random mutations", .timeLimit(.minutes(1)))
struct TraceFuzzTests {
    static let seeds: [String] = [
        "event: FALLING EDGE offset: 5 timestamp: [       1.837897128]\nevent:  RISING EDGE offset: 5 timestamp: [       1.901234567]\n",
        "1.837897128\tfalling\tgpiochip0 5\n1.901234567\trising\t\"GPIO5\"\n2.000000000\tfalling\tgpiochip4 17 \"GPIO17\"\n",
        "2024-05-01T12:00:00.123456789Z\tfalling\tgpiochip0 5\n2024-05-01T12:00:01.5\trising\tgpiochip0 5\n",
        "# recorded at the shop\nMonitoring line 'GPIO5'...\n2554-07-21T23:34:33.709551615Z\tfalling\tID SD\n",
    ]

    /// Bytes worth trying: digits, separators, signs, letters of the grammar, blanks, high bytes.
    static let alphabet: [UInt8] = Array("0123456789-:.TtZz+ \t\n\"#[]eE".utf8) + [0x00, 0x7F, 0xC3, 0xFF]

    @Test("10,000 mutated traces: each parses or is refused with the file, the line and what was expected")
    func mutatedTraces() {
        var random = SplitMix64(seed: 0x5EED_0009)
        var refused = 0
        for round in 0..<10_000 {
            let bytes = Self.mutate(Array(Self.seeds[round % Self.seeds.count].utf8), &random)
            do {
                let trace = try GpiomonTrace(bytes: bytes, file: "fuzz.txt")
                #expect(trace.records.allSatisfy { $0.lineNumber >= 1 })
            } catch {
                refused += 1
                let message = error.description
                #expect(error.exitCode == 65, "round \(round): \(message)")
                #expect(message.contains("fuzz.txt") && message.contains("line "), "round \(round): \(message)")
                if case .malformedTrace(_, _, _, let expected) = error {
                    #expect(!expected.isEmpty, "round \(round)")
                }
            }
        }
        // The mutations must reach the refusals, or the test proves little.
        #expect(refused > 1000)
    }

    @Test("10,000 mutated timestamps through the shared reader: each reads or says what and where")
    func mutatedTimestamps() {
        var random = SplitMix64(seed: 0x5EED_3339)
        let seeds = ["2026-11-22T09:15:02.123Z", "2026-11-22T11:15:02.123+02:00", "2024-02-29 00:00:00z",
                     "2554-07-21T23:34:33.709551615Z", "0000-01-01T00:00:00-23:59", "9999-12-31t23:59:60.999999999999+00:00"]
        var read = 0
        for round in 0..<10_000 {
            let bytes = Self.mutate(Array(seeds[round % seeds.count].utf8), &random)
            let text = String(decoding: bytes, as: UTF8.self)
            for rule in [RFC3339.OffsetRule.required, .optionalUTC] {
                do {
                    let instant = try RFC3339.instant(bytes, 0..<bytes.count, offset: rule)
                    read += 1
                    #expect((0..<1_000_000_000).contains(instant.nanoseconds), "round \(round): \(text)")
                    // Whatever was read (and is a UTC date of years 0000-9999) writes back and
                    // reads again to the same millisecond.
                    if (Self.firstMs..<Self.endMs).contains(instant.ms) {
                        #expect(RFC3339.ms(parsing: RFC3339.string(ms: instant.ms)) == instant.ms, "round \(round): \(text)")
                    }
                } catch {
                    #expect(error.position >= 1 && error.position <= RFC3339.maxLength + 1, "round \(round): \(text)")
                    #expect(!error.problem.isEmpty && error.description.contains("expected"), "round \(round): \(text)")
                }
            }
        }
        #expect(read > 500)
    }

    static let firstMs = Int64(CivilCalendar.dayNumber(year: 0, month: 1, day: 1)) * CivilCalendar.msPerDay
    static let endMs = Int64(CivilCalendar.dayNumber(year: 10000, month: 1, day: 1)) * CivilCalendar.msPerDay

    /// One to four edits: flip, insert, delete, duplicate a run, or swap in a byte from the alphabet.
    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + Int(random.next() % 4)) {
            let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
            let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
            switch random.next() % 5 {
            case 0 where !bytes.isEmpty: bytes[position] = byte
            case 1: bytes.insert(byte, at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + 1 + Int(random.next() % 12))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default:
                if !bytes.isEmpty { bytes[position] = bytes[position] ^ UInt8(1 << (random.next() % 8)) }
            }
        }
        return bytes
    }
}
