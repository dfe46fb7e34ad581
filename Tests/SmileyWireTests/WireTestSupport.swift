import Foundation
import SmileyCore
import SmileyWire

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
