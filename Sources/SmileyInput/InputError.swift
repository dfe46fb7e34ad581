import SmileyCore
import SmileyPlatform

/// Why an input source could not start or stopped, with a message for the operator and the
/// process exit status (sysexits.h) `smileyd` should end with.
public enum InputError: UserFacingError, Sendable, Equatable {
    /// A line of a trace that is neither blank, a `#` comment nor a gpiomon event.
    /// `content` is the offending line, already shortened to about 120 characters.
    case malformedTrace(file: String, lineNumber: Int, content: String, expected: String)
    /// The trace file is missing or cannot be read.
    case traceUnreadable(path: String, reason: String)
    /// The trace holds no event at all.
    case emptyTrace(file: String)
    /// A trace event on a line (offset or name) that no configured button uses.
    /// `line` reads `offset 7` or `line "FOO"`; `buttonLines` reads `offsets 5, 6, 13, 19`.
    case unmatchedTraceLine(file: String, lineNumber: Int, line: String, buttonLines: String)
    /// A trace event more than the tolerance earlier than an event before it.
    case traceTimestampWentBackwards(file: String, lineNumber: Int, timestampNs: UInt64, latestNs: UInt64)
    /// A replay speed that is not a finite factor above zero.
    case invalidReplaySpeed(Double)
    /// A configured GPIO line that no chip has.
    case lineNotFound(line: String)
    /// The GPIO character devices cannot be used (absent, busy, not permitted).
    case gpioUnavailable(reason: String)
    /// A GPIO line name that no chip has. `user` says who wants the line (`button very-happy`,
    /// `ack-line`); `available` lists the chips and their named lines.
    case gpioLineNotFound(line: String, user: String, available: String)
    /// The chip of a `chip:offset` line (a path, a name such as gpiochip0, or a label) does not exist.
    case gpioChipNotFound(line: String, user: String, available: String)
    /// The offset of a `chip:offset` line is beyond the chip's lines.
    case gpioOffsetOutOfRange(line: String, user: String, chip: String, lineCount: Int)
    /// A line name (or a bare offset, or a label) that fits more than one chip: `candidates`
    /// are the `chip:offset` spellings to choose from.
    case gpioAmbiguousLine(line: String, user: String, candidates: [String])
    /// Two buttons (or a button and an LED) name the same line in different spellings
    /// (`GPIO5` and `pinctrl-bcm2711:5`).
    case gpioLineUsedTwice(line: String, user: String, otherLine: String, otherUser: String, location: String)
    /// The line is already requested by another consumer (another program, or the same line twice).
    case gpioLineBusy(line: String, user: String, location: String, consumer: String)
    /// The GPIO character device may not be opened by this user. `owner` reads `root:gpio`,
    /// `mode` `0660`; `remedy` names the group, the udev rule or the systemd setting that grants it.
    case gpioPermissionDenied(device: String, owner: String, mode: String, remedy: String)
    /// A system call of an input source failed (reading the keyboard, setting up the terminal).
    case system(source: String, call: String, errno: Int32)
    /// `input: keyboard` with standard input on /dev/null (a service has no terminal).
    case keyboardWithoutTerminal

    /// A failed system call of `source`.
    public static func system(source: String, _ error: SystemCallError) -> InputError {
        .system(source: source, call: error.call, errno: error.errno)
    }

    /// The exit status for `smileyd` (sysexits.h).
    public var exitCode: Int32 {
        switch self {
        case .malformedTrace, .emptyTrace, .unmatchedTraceLine, .traceTimestampWentBackwards:
            65 // EX_DATAERR
        case .traceUnreadable:
            66 // EX_NOINPUT
        case .lineNotFound, .gpioUnavailable, .gpioLineNotFound, .gpioChipNotFound, .gpioLineBusy:
            69 // EX_UNAVAILABLE
        case .gpioPermissionDenied:
            77 // EX_NOPERM
        case .gpioOffsetOutOfRange, .gpioAmbiguousLine, .gpioLineUsedTwice:
            78 // EX_CONFIG
        case .system:
            74 // EX_IOERR
        case .invalidReplaySpeed, .keyboardWithoutTerminal:
            78 // EX_CONFIG
        }
    }

    public var description: String {
        switch self {
        case .malformedTrace(let file, let lineNumber, let content, let expected):
            "trace \(file) line \(lineNumber): cannot read \"\(content)\" as a gpiomon event; expected a line like \(expected)"
        case .traceUnreadable(let path, let reason):
            "cannot read trace \(path): \(reason)"
        case .emptyTrace(let file):
            "trace \(file) contains no gpiomon event"
        case .unmatchedTraceLine(let file, let lineNumber, let line, let buttonLines):
            "trace \(file) line \(lineNumber): \(line) matches no configured button (buttons use \(buttonLines))"
        case .traceTimestampWentBackwards(let file, let lineNumber, let timestampNs, let latestNs):
            "trace \(file) line \(lineNumber): timestamp \(Self.seconds(timestampNs)) goes back "
                + "\(Self.seconds(latestNs - min(latestNs, timestampNs))) s before an earlier event at \(Self.seconds(latestNs))"
                + " (more than \(Self.seconds(ReplaySource.backwardsToleranceNs)) s)"
        case .invalidReplaySpeed(let speed):
            "invalid replay speed \(speed): use a factor above 0 (1 = real time) or max"
        case .lineNotFound(let line):
            "GPIO line \(line) not found on any chip"
        case .gpioUnavailable(let reason):
            "GPIO unavailable: \(reason)"
        case .gpioLineNotFound(let line, let user, let available):
            "GPIO line \(line) (\(user)) not found on any chip; \(available)"
        case .gpioChipNotFound(let line, let user, let available):
            "GPIO line \(line) (\(user)): no chip is called so (by path, name or label); \(available)"
        case .gpioOffsetOutOfRange(let line, let user, let chip, let lineCount):
            "GPIO line \(line) (\(user)): \(chip) has \(lineCount) lines, offsets 0 to \(lineCount - 1)"
        case .gpioAmbiguousLine(let line, let user, let candidates):
            "GPIO line \(line) (\(user)) fits more than one chip: \(candidates.joined(separator: ", ")); "
                + "write the line as chip:offset, e.g. \(candidates.first ?? "gpiochip0:5")"
        case .gpioLineUsedTwice(let line, let user, let otherLine, let otherUser, let location):
            "GPIO line \(line) (\(user)) is the same line as \(otherLine) (\(otherUser)): \(location); "
                + "every button needs a line of its own"
        case .gpioLineBusy(let line, let user, let location, let consumer):
            "GPIO line \(line) (\(user), \(location)) is busy: " + (consumer.isEmpty
                ? "another program holds it (it gave no consumer name; see gpioinfo)"
                : "held by \"\(consumer)\"; stop that program (or another smileyd) first, see gpioinfo")
        case .gpioPermissionDenied(let device, let owner, let mode, let remedy):
            "permission denied opening \(device) (owner \(owner), mode \(mode)): \(remedy)"
        case .system(let source, let call, let code):
            "\(source): \(SystemCallError(call: call, errno: code))"
        case .keyboardWithoutTerminal:
            "input: keyboard reads keys from standard input, but standard input is /dev/null (as under systemd, "
                + "where no key can ever come): use input: gpio for a terminal's buttons, or run smileyd in a terminal"
        }
    }

    /// `1.837897128` for 1_837_897_128 ns.
    static func seconds(_ ns: UInt64) -> String {
        let fraction = String(ns % 1_000_000_000)
        return "\(ns / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
    }
}
