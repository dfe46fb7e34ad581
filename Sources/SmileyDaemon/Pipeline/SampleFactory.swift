import Foundation
import SmileyConfig
import SmileyCore
import SmileyStore

/// Turns a decided press into the row to store: ids, wall time, zone offset, boot and clock state.
struct SampleFactory: Sendable {
    let configuration: Configuration
    let timeBase: TimeBase
    /// This boot's id (live input) — replayed traces carry their own.
    let bootID: String

    /// - Parameters:
    ///   - monotonicNowNs, wallNowMs: a reading of both clocks now (live input only).
    ///   - clockSynchronized: whether the wall clock is synchronized now (live input only).
    func sample(for press: Press, monotonicNowNs: UInt64, wallNowMs: Int64, clockSynchronized: Bool,
                ids: inout SampleID.Generator) -> NewSample {
        let recordedAt: Int64
        let boot: String
        let synchronized: Bool
        switch timeBase {
        case .live:
            recordedAt = ClockArithmetic.wallMs(ofMonotonic: press.timestampNs, monotonicNowNs: monotonicNowNs,
                                                wallNowMs: wallNowMs)
            boot = bootID
            synchronized = clockSynchronized
        case .replay(let startWallMs, let firstEdgeNs, let replayBoot):
            recordedAt = ClockArithmetic.replayWallMs(edgeNs: press.timestampNs, firstEdgeNs: firstEdgeNs,
                                                      startWallMs: startWallMs)
            boot = replayBoot
            // The trace's time is given by whoever started the replay.
            synchronized = true
        }
        let offset = configuration.zone.secondsFromUTC(atMs: recordedAt)
        let button = configuration.buttons.indices.contains(press.button)
            ? configuration.buttons[press.button].name : "button-\(press.button)"
        return NewSample(
            id: SampleID.make(unixMs: recordedAt, using: &ids),
            terminal: configuration.terminal, site: configuration.site, survey: configuration.survey,
            button: press.button, scale: configuration.scale, buttonName: button,
            recordedAtMs: recordedAt, utcOffsetSeconds: offset, bootID: boot,
            monotonicNs: press.timestampNs, clockSynchronized: synchronized, misuse: press.misuse)
    }
}
