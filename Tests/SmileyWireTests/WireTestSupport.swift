import Foundation
import SmileyCore
import SmileyWire

/// A seeded generator (SplitMix64): the random tests draw the same documents on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The documented example sample (api/openapi.yaml).
let exampleSample = #"{"id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","survey":"q","button":3,"buttonName":"b","scale":4,"recordedAt":"2026-11-22T09:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":null}"#

/// A batch body around `samples` (already JSON).
func batchBody(_ samples: String, terminal: String = #""t""#) -> String {
    #"{"terminal":\#(terminal),"site":"s","batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10","samples":[\#(samples)]}"#
}

/// The decoder's message for a body, or nil when it is accepted.
func batchProblem(_ body: String) -> String? {
    do {
        _ = try WireDecoder.batch(from: Data(body.utf8))
        return nil
    } catch {
        return error.message
    }
}

func heartbeatProblem(_ body: String) -> String? {
    do {
        _ = try WireDecoder.heartbeat(from: Data(body.utf8))
        return nil
    } catch {
        return error.message
    }
}
