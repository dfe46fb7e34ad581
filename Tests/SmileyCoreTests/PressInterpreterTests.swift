import Testing
@testable import SmileyCore

/// Milliseconds → nanoseconds, so the tables read like an oscilloscope trace.
private func ms(_ value: Double) -> UInt64 { UInt64(value * 1_000_000) }

private func up(_ button: Int, _ at: Double) -> Edge { Edge(button: button, kind: .rising, timestampNs: ms(at)) }
private func down(_ button: Int, _ at: Double) -> Edge { Edge(button: button, kind: .falling, timestampNs: ms(at)) }

/// Feeds the edges, then lets time run to `until` (ms); returns everything the interpreter said.
private func run(_ edges: [Edge], until: Double, rules: PressRules = .default, buttons: Int = 4,
                 softwareDebounce: Bool = true) -> [PressEvent] {
    var interpreter = PressInterpreter(rules: rules, buttonCount: buttons, softwareDebounce: softwareDebounce)
    var events: [PressEvent] = []
    for edge in edges { events += interpreter.handle(edge) }
    events += interpreter.advance(to: ms(until))
    return events
}

private func presses(_ events: [PressEvent]) -> [Press] {
    events.compactMap { if case .press(let press) = $0 { press } else { nil } }
}

/// Final misuse state of every press, after re-flags.
private func finalFlags(_ events: [PressEvent]) -> [(button: Int, atMs: Double, misuse: MisuseReason?)] {
    var list = presses(events).map { (sequence: $0.sequence, button: $0.button, atMs: Double($0.timestampNs) / 1e6, misuse: $0.misuse) }
    for event in events {
        if case .reflag(let sequence, let misuse) = event, let i = list.firstIndex(where: { $0.sequence == sequence }) {
            list[i].misuse = misuse
        }
    }
    return list.map { ($0.button, $0.atMs, $0.misuse) }
}

struct BounceCase: CustomTestStringConvertible, Sendable {
    let name: String
    let edges: [Edge]
    let until: Double
    /// (button, press time ms, decided time ms)
    let expected: [(Int, Double, Double)]
    var testDescription: String { name }
}

@Suite("Debounce as the kernel does it")
struct DebounceTests {
    static let cases: [BounceCase] = [
        BounceCase(name: "clean press and release", edges: [up(0, 0), down(0, 100)], until: 1000,
                   expected: [(0, 0, 30)]),
        BounceCase(name: "bouncy press: 5 flips within 5 ms, timed at the first edge",
                   edges: [up(1, 0), down(1, 1), up(1, 2), down(1, 3), up(1, 5), down(1, 200)], until: 1000,
                   expected: [(1, 0, 35)]),
        BounceCase(name: "8 flips within 4 ms", edges: [up(2, 10), down(2, 10.5), up(2, 11), down(2, 11.5), up(2, 12),
                                                          down(2, 13), up(2, 13.5), down(2, 14), up(2, 14.2), down(2, 400)],
                   until: 1000, expected: [(2, 10, 44.2)]),
        BounceCase(name: "bounce on release is no second press",
                   edges: [up(0, 0), down(0, 100), up(0, 101), down(0, 102), up(0, 103), down(0, 105)], until: 1000,
                   expected: [(0, 0, 30)]),
        BounceCase(name: "1 ms noise spike is no press", edges: [up(3, 50), down(3, 51)], until: 1000, expected: []),
        BounceCase(name: "spike of 29 ms (shorter than debounce) is no press", edges: [up(3, 50), down(3, 79)], until: 1000,
                   expected: []),
        BounceCase(name: "pulse of exactly the debounce period counts", edges: [up(3, 50), down(3, 80)], until: 1000,
                   expected: [(3, 50, 80)]),
        BounceCase(name: "1 ms dropout while held is not a release", edges: [up(0, 0), down(0, 500), up(0, 501), down(0, 1000)],
                   until: 2000, expected: [(0, 0, 30)]),
        BounceCase(name: "release then press again 100 ms later: two presses",
                   edges: [up(0, 0), down(0, 100), up(0, 200), down(0, 300)], until: 1000,
                   expected: [(0, 0, 30), (0, 200, 230)]),
        BounceCase(name: "a short pulse does not swallow the next press (unlike a lockout)",
                   edges: [up(0, 0), down(0, 2), up(0, 40), down(0, 200)], until: 1000,
                   expected: [(0, 40, 70)]),
        BounceCase(name: "a release edge while released is ignored", edges: [down(0, 10), down(0, 20)], until: 1000,
                   expected: []),
        BounceCase(name: "a repeated press edge (a missed release) is still one press",
                   edges: [up(0, 0), up(0, 10), down(0, 300)], until: 1000, expected: [(0, 0, 40)]),
    ]

    @Test(arguments: cases)
    func bounceShapes(_ c: BounceCase) {
        let rules = PressRules(debounceMs: 30, responseIntervalMs: 0, simultaneousMs: 0, heldMs: 3000)
        let got = presses(run(c.edges, until: c.until, rules: rules))
        #expect(got.map(\.button) == c.expected.map(\.0))
        #expect(got.map(\.timestampNs) == c.expected.map { ms($0.1) })
        #expect(got.map(\.decidedAtNs) == c.expected.map { ms($0.2) })
        #expect(got.allSatisfy { $0.misuse == nil })
    }

    @Test("no press is decided before the line has been stable for the debounce period")
    func notBeforeStable() {
        var interpreter = PressInterpreter(rules: .default, buttonCount: 4)
        #expect(interpreter.handle(up(0, 0)).isEmpty)
        #expect(interpreter.nextDeadline == ms(30))
        #expect(interpreter.advance(to: ms(29.999)).isEmpty)
        #expect(presses(interpreter.advance(to: ms(30))).count == 1)
    }

    @Test("already-debounced sources (kernel debounce, keyboard) decide on the edge")
    func kernelDebounced() {
        let got = presses(run([up(2, 7), down(2, 8)], until: 10, softwareDebounce: false))
        #expect(got.count == 1)
        #expect(got.first?.timestampNs == ms(7))
        #expect(got.first?.decidedAtNs == ms(7))
    }

    @Test("finish() settles a press still inside its debounce period")
    func finishSettles() {
        var interpreter = PressInterpreter(rules: .default, buttonCount: 2)
        _ = interpreter.handle(up(1, 1000))
        let got = presses(interpreter.finish())
        #expect(got.map(\.button) == [1])
        #expect(got.first?.timestampNs == ms(1000))
        #expect(interpreter.nextDeadline == ms(4000)) // now waiting for the held limit only
    }

    @Test("an edge for a button that does not exist is ignored")
    func unknownButton() {
        #expect(run([up(7, 0), down(7, 100)], until: 1000, buttons: 4).isEmpty)
    }
}

@Suite("Held and stuck buttons")
struct HeldTests {
    @Test("a 10 s hold is one press and one held warning, then a release report")
    func longHold() {
        let rules = PressRules(debounceMs: 30, responseIntervalMs: 5000, simultaneousMs: 150, heldMs: 3000)
        let events = run([up(1, 0), down(1, 10_000)], until: 20_000, rules: rules)
        #expect(presses(events).count == 1)
        #expect(events.filter { if case .held = $0 { true } else { false } } == [.held(sequence: 1, button: 1, sinceNs: 0)])
        #expect(events.last == .heldReleased(sequence: 1, button: 1, durationNs: ms(10_000)))
    }

    @Test("the held warning comes at held-ms after the first edge, not before")
    func heldTiming() {
        var interpreter = PressInterpreter(rules: .default, buttonCount: 4)
        _ = interpreter.handle(up(0, 0))
        _ = interpreter.advance(to: ms(30))
        #expect(interpreter.nextDeadline == ms(3000))
        #expect(interpreter.advance(to: ms(2999)).isEmpty)
        #expect(interpreter.advance(to: ms(3000)) == [.held(sequence: 1, button: 0, sinceNs: 0)])
        #expect(interpreter.heldButtons == [0])
        _ = interpreter.handle(down(0, 4000))
        _ = interpreter.advance(to: ms(5000))
        #expect(interpreter.heldButtons.isEmpty)
    }

    @Test("a release pending its debounce at the held limit raises no warning")
    func releaseDuringLimit() {
        let events = run([up(0, 0), down(0, 2990)], until: 10_000)
        #expect(!events.contains { if case .held = $0 { true } else { false } })
        #expect(presses(events).count == 1)
    }

    @Test("a stuck button repeats nothing")
    func stuck() {
        let events = run([up(2, 0)], until: 3_600_000)
        #expect(presses(events).count == 1)
        #expect(events.count == 2) // the press and one held warning
    }
}

@Suite("Misuse rules")
struct MisuseTests {
    @Test("a masher pressing every second for 30 s: the first counts, the rest are interval")
    func masher() {
        var edges: [Edge] = []
        for i in 0..<30 {
            let t = Double(i) * 1000
            edges += [up(3, t), down(3, t + 120)]
        }
        let flags = finalFlags(run(edges, until: 40_000))
        #expect(flags.count == 30)
        #expect(flags.first?.misuse == nil)
        #expect(flags.dropFirst().allSatisfy { $0.misuse == .interval })
    }

    @Test("presses 6 s apart are all accepted; exactly the interval apart is accepted too")
    func spacedPresses() {
        let edges = [up(0, 0), down(0, 100), up(1, 6000), down(1, 6100), up(2, 11_000), down(2, 11_100)]
        let flags = finalFlags(run(edges, until: 20_000))
        #expect(flags.map(\.misuse) == [nil, nil, nil])
    }

    @Test("interval counts from the previous press even when that one was flagged")
    func chainOfFlagged() {
        let edges = [up(0, 0), down(0, 100), up(1, 4000), down(1, 4100), up(2, 8000), down(2, 8100)]
        let flags = finalFlags(run(edges, until: 20_000))
        #expect(flags.map(\.misuse) == [nil, .interval, .interval])
    }

    @Test("two buttons within simultaneous-ms: both flagged, the first re-flagged when the second arrives")
    func simultaneous() {
        let events = run([up(0, 0), up(3, 100), down(0, 200), down(3, 250)], until: 1000)
        let ps = presses(events)
        #expect(ps.map(\.misuse) == [nil, .simultaneous])
        #expect(events.contains(.reflag(sequence: ps[0].sequence, misuse: .simultaneous)))
        #expect(finalFlags(events).map(\.misuse) == [.simultaneous, .simultaneous])
    }

    @Test("simultaneous wins over interval")
    func simultaneousBeatsInterval() {
        let edges = [up(0, 0), down(0, 100), up(1, 2000), down(1, 2100), up(2, 2100), down(2, 2200)]
        let flags = finalFlags(run(edges, until: 10_000))
        #expect(flags.map(\.misuse) == [nil, .simultaneous, .simultaneous])
    }

    @Test("the same button twice within the simultaneous window is interval, not simultaneous")
    func sameButtonTwice() {
        let flags = finalFlags(run([up(1, 0), down(1, 40), up(1, 100), down(1, 200)], until: 1000))
        #expect(flags.map(\.misuse) == [nil, .interval])
    }

    @Test("presses decided out of order (one line bounced longer) still pair up")
    func outOfOrderDecisions() {
        // Button 0 starts first but bounces until 40 ms; button 2 is clean at 10 ms and is decided first.
        let edges = [up(0, 0), up(2, 10), down(0, 20), up(0, 40), down(2, 300), down(0, 300)]
        let events = run(edges, until: 1000)
        #expect(presses(events).map(\.button) == [2, 0])
        #expect(finalFlags(events).map(\.misuse) == [.simultaneous, .simultaneous])
    }

    @Test("three buttons at once: all three flagged; only the first needed a re-flag")
    func threeAtOnce() {
        let edges = [up(0, 0), up(1, 20), up(2, 40), down(0, 300), down(1, 300), down(2, 300)]
        let events = run(edges, until: 1000)
        #expect(finalFlags(events).map(\.misuse) == [.simultaneous, .simultaneous, .simultaneous])
        let reflags = events.filter { if case .reflag = $0 { true } else { false } }
        #expect(reflags == [.reflag(sequence: 1, misuse: .simultaneous)])
    }

    @Test("rules set to 0 are off")
    func rulesOff() {
        let rules = PressRules(debounceMs: 30, responseIntervalMs: 0, simultaneousMs: 0, heldMs: 3000)
        let flags = finalFlags(run([up(0, 0), up(1, 10), down(0, 50), down(1, 60)], until: 1000, rules: rules))
        #expect(flags.map(\.misuse) == [nil, nil])
    }
}

/// Presses of `button` every `everyMs` from `fromMs` for `count` presses (30 ms down each).
private func train(_ button: Int, from fromMs: Double, every everyMs: Double, count: Int) -> [Edge] {
    (0..<count).flatMap { i -> [Edge] in
        let at = fromMs + Double(i) * everyMs
        return [up(button, at), down(button, at + 30)]
    }
}

/// Edges from several buttons in time order.
private func merged(_ lists: [Edge]...) -> [Edge] {
    lists.flatMap { $0 }.sorted { $0.timestampNs < $1.timestampNs }
}

@Suite("A press flood: a stuck contact or a child")
struct FloodTests {
    @Test("14 presses a second on one button: a flood after 30 flagged presses; real presses on the other buttons are judged as if it were silent")
    func floodDoesNotMuteOthers() {
        // Button 0 floods for 60 s; a person presses button 2 every 10 s (the response interval is 5 s).
        let flood = train(0, from: 0, every: 1000.0 / 14, count: 14 * 60)
        let person = train(2, from: 5_000, every: 10_000, count: 6)
        let events = run(merged(flood, person), until: 120_000)
        let flags = finalFlags(events)
        #expect(flags.count == 14 * 60 + 6)  // every press is kept
        let personFlags = flags.filter { $0.button == 2 }
        // The flood is recognised at its 30th flagged press (about 2.1 s in); the first real press
        // (5 s) is still within the response interval of the last press before that, so it is
        // flagged; every later one is accepted.
        #expect(personFlags.map(\.misuse) == [.interval, nil, nil, nil, nil, nil], "\(personFlags)")
        #expect(flags.filter { $0.button == 0 && $0.misuse == nil }.count == 1)  // only the very first
        let started = events.compactMap { if case .floodStarted(let button, let since) = $0 { (button, since) } else { nil } }
        #expect(started.count == 1 && started.first?.0 == 0 && started.first?.1 == ms(1000.0 / 14))
        let ended = events.compactMap { if case .floodEnded(let button, _, let presses) = $0 { (button, presses) } else { nil } }
        #expect(ended.count == 1 && ended.first?.0 == 0 && ended.first?.1 == 14 * 60 - 1, "\(ended)")
    }

    @Test("the flood ends after 10 quiet seconds, and not before", arguments: [(9_999.0, false), (10_000.0, true)])
    func floodEnds(quietMs: Double, ended: Bool) {
        var interpreter = PressInterpreter(rules: .default, buttonCount: 4)
        var events: [PressEvent] = []
        let flood = train(1, from: 0, every: 100, count: 40)
        for edge in flood { events += interpreter.handle(edge) }
        events += interpreter.advance(to: ms(3_900 + 30))
        #expect(interpreter.floodingButtons == [1])
        let last = ms(3_900)
        events += interpreter.advance(to: last + ms(quietMs))
        #expect(interpreter.floodingButtons == (ended ? [] : [1]))
        #expect(events.contains { if case .floodEnded(1, _, _) = $0 { true } else { false } } == ended)
        // While it floods and after, the interpreter's next deadline is the flood's end, then nothing.
        #expect(interpreter.nextDeadline == (ended ? nil : last + PressRules.floodWindowNs))
    }

    @Test("a person pressing fast is no flood: 29 flagged presses in 10 s")
    func fastPersonIsNoFlood() {
        let events = run(train(3, from: 0, every: 340, count: 30), until: 60_000)
        #expect(!events.contains { if case .floodStarted = $0 { true } else { false } })
        #expect(finalFlags(events).filter { $0.misuse != nil }.count == 29)
    }

    @Test("during a flood the flooding button's presses pair as simultaneous with nothing")
    func floodPairsWithNothing() {
        // Button 0 floods every 50 ms; button 1 is pressed 20 ms after a flood press, well inside
        // simultaneous-ms (150): accepted, and the flood press next to it is not re-flagged.
        let flood = train(0, from: 0, every: 50, count: 200)
        let real = train(1, from: 6_020, every: 6_000, count: 1)
        let events = run(merged(flood, real), until: 30_000)
        let person = finalFlags(events).filter { $0.button == 1 }
        #expect(person.map(\.misuse) == [nil], "\(person)")
        #expect(!events.contains { if case .reflag = $0 { true } else { false } })
    }
}
