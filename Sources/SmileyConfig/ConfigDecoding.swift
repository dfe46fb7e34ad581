import Foundation
import SmileyCore
import Yams

/// Turns the composed YAML tree into a ``Configuration``: one function per section, each reading
/// its keys through ``SectionReader`` (keys are declared in ``ConfigSchema``). A refused value is
/// recorded in the context's ``DiagnosticLog`` and decoding goes on with the default, skipping the
/// checks that depend on it; at the end every problem is thrown at once.
struct ConfigDecoder {
    /// The declared keys, by the names the decoder reads them.
    typealias Key = ConfigSchema

    let context: DecodingContext

    func decodeConfiguration(_ root: Node) throws(ConfigError) -> Configuration {
        guard let top = try SectionReader(root, keyPath: "", keys: Key.top, context: context) else {
            // Not a mapping: there is nothing else to read.
            throw context.log.error() ?? ConfigError(path: context.path, message: "the top level must be a mapping")
        }

        let terminal: String
        if let given = try top.identifier(Key.terminal) {
            terminal = given
        } else if !top.failed(Key.terminal), let problem = identifierProblem(context.hostName) {
            try top.reportMissing(Key.terminal, "not set, and the host name cannot serve as the terminal id: \(problem); "
                + "set terminal: to an id such as store-12-entrance")
            terminal = context.hostName
        } else {
            terminal = context.hostName
        }
        let site = try top.identifier(Key.site) ?? terminal
        let survey = try top.identifier(Key.survey) ?? "default"
        let zone = try decodeZone(top)
        let database = try top.filePath(Key.database, what: "the path of the SQLite database")
            ?? Configuration.defaultDatabase
        let runtimeDirectory = try top.filePath(Key.runtimeDirectory, what: "a folder for the status file and socket")
            ?? defaultRuntimeDirectory()
        let givenInput = try top.choice(Key.input, InputKind.self)
        // Nil when `input` was refused: checks that depend on the kind of input are skipped.
        let input: InputKind? = top.failed(Key.input) ? nil : givenInput ?? .gpio

        var replay: ReplaySettings?
        if let node = top.value(Key.replay) {
            replay = try decodeReplay(node)
        }
        if input == .replay, context.requireReplayFile, replay?.file.isEmpty ?? true,
           !top.failed(Key.replay),
           !context.log.hasFailed(Key.replay.name + "." + Key.replayFile.name) {
            let message = "required when input is replay: name the gpiomon trace to replay "
                + "(replay: file: PATH), or give --replay FILE on the command line"
            try context.report(Key.replay.name + "." + Key.replayFile.name,
                               at: top.value(Key.replay) ?? top.value(Key.input), message)
        }

        let buttons = try decodeButtons(top, input: input)

        var press = PressRules.default
        if let node = top.value(Key.press) {
            press = try decodePress(node)
        }

        var report = ReportSettings()
        if let node = top.value(Key.report) {
            report = try decodeReport(node)
        }
        let ackLine = try decodeOutputLine(top, Key.ackLine, buttons: buttons, other: nil)
        let misuseLine = try decodeOutputLine(top, Key.misuseLine, buttons: buttons,
                                              other: ackLine.map { (Key.ackLine, $0) })
        var upstream: UpstreamSettings?
        if let node = top.value(Key.upstream) {
            upstream = try decodeUpstream(node)
        }
        let retentionDays = try top.integer(Key.retentionDays)
            ?? Configuration.defaultRetentionDays

        if let error = context.log.error() { throw error }
        return Configuration(terminal: terminal, site: site, survey: survey, zone: zone, database: database,
                             runtimeDirectory: runtimeDirectory, input: input ?? .gpio, replay: replay,
                             buttons: buttons.map(\.button), press: press, report: report, ackLine: ackLine,
                             misuseLine: misuseLine, upstream: upstream, retentionDays: retentionDays)
    }

    // MARK: Sections

    /// `replay:`. A missing `file` is stored as "" (the `--replay` option supplies it; the
    /// top level decides whether it is required). Nil when the section is not a mapping.
    func decodeReplay(_ node: Node) throws(ConfigError) -> ReplaySettings? {
        guard let section = try SectionReader(node, keyPath: Key.replay.name, keys: Key.replaySection, context: context)
        else { return nil }
        let file = try section.filePath(Key.replayFile, what: "the path of a trace as gpiomon prints it") ?? ""
        var speed: Double?
        let expected = "a number > 0 (1 = real time, 10 = ten times faster) or max (as fast as possible)"
        if case let (text, valueNode)? = try section.scalar(Key.replaySpeed, expected: expected) {
            let tag = tagName(valueNode)
            if text.lowercased() == "max" {
                speed = nil
            } else if tag == .int || tag == .float, case .scalar(let scalar) = valueNode,
                      let number = Double.construct(from: scalar) {
                if number.isFinite, number > 0 {
                    speed = number
                } else {
                    try section.report(Key.replaySpeed, at: valueNode, "\(shortened(text)) is not allowed; expected \(expected)")
                }
            } else {
                try section.report(Key.replaySpeed, at: valueNode, "expected \(expected), got \(describe(valueNode))")
            }
        }
        return ReplaySettings(file: file, speed: speed)
    }

    /// A button as decoded, with its place in the file's list (messages name it so).
    struct DecodedButton {
        let index: Int
        let button: ButtonConfig

        /// `buttons[1] (happy)`, or `buttons[1]` when it has no name.
        var label: String { button.name.isEmpty ? "buttons[\(index)]" : "buttons[\(index)] (\(button.name))" }
    }

    /// `buttons:`, a list of 2 to 5 mappings with unique names and lines. `input` nil: it was
    /// refused, so whether lines are required is not known and not checked.
    func decodeButtons(_ top: SectionReader, input: InputKind?) throws(ConfigError) -> [DecodedButton] {
        let counts = Scale.allowedButtonCounts
        let allowedCount = "\(counts.lowerBound) to \(counts.upperBound) are allowed"
        guard let node = top.value(Key.buttons) else {
            try top.reportMissing(Key.buttons, "required: list the buttons (\(allowedCount)), most negative first, "
                + "each with a name and a line")
            return []
        }
        guard case .sequence(let items) = node else {
            try top.report(Key.buttons, at: node, "expected a list of buttons (\(allowedCount)), got \(describe(node))")
            return []
        }
        if !counts.contains(items.count) {
            try top.report(Key.buttons, at: node, "\(items.count) button\(items.count == 1 ? "" : "s") given; "
                + "\(allowedCount)")
        }

        var buttons: [DecodedButton] = []
        var names: [String: Int] = [:]          // lowercased name -> index
        var lines: [String: DecodedButton] = [:] // LineSpec identity -> the button that has it
        var traceOffsets: [Int: DecodedButton] = [:]  // replay: offset in the trace -> the button
        for (index, item) in items.enumerated() {
            let keyPath = "\(Key.buttons.name)[\(index)]"
            guard let section = try SectionReader(item, keyPath: keyPath, keys: Key.button, context: context)
            else { continue }

            var name = ""
            if case let (text, nameNode)? = try section.scalar(Key.buttonName, expected: "a name") {
                name = text
                if let problem = buttonNameProblem(text) {
                    try section.report(Key.buttonName, at: nameNode, problem)
                } else if let first = names[text.lowercased()] {
                    try section.report(Key.buttonName, at: nameNode, "duplicate name \(quoted(text)): buttons[\(first)] and "
                        + "buttons[\(index)] are both named so (ignoring case); names must be unique")
                } else {
                    names[text.lowercased()] = index
                }
            } else if !section.failed(Key.buttonName) {
                try section.reportMissing(Key.buttonName, "required: every button needs a name (letters, digits, - and _), "
                    + "e.g. very-unhappy")
            }

            var line: LineSpec?
            if case let (text, lineNode)? = try section.scalar(Key.buttonLine, expected: "a GPIO line") {
                if let spec = LineSpec(parsing: text) {
                    line = spec
                    if let first = lines[lineIdentity(spec)] {
                        try section.report(Key.buttonLine, at: lineNode, "line \(spec) is already used by \(first.label); "
                            + "each button needs its own line")
                    } else if input == .replay, let offset = spec.traceOffset, let first = traceOffsets[offset] {
                        try section.report(Key.buttonLine, at: lineNode, "line \(spec) is offset \(offset) in a replayed "
                            + "trace, as is \(first.label); each button needs its own line")
                    }
                } else {
                    try section.report(Key.buttonLine, at: lineNode, "\(quoted(text)) is not a line; expected a line name "
                        + "(GPIO5), chip:offset (gpiochip0:5, pinctrl-rp1:5) or an offset (5)")
                }
            } else if !section.failed(Key.buttonLine), let input, input != .keyboard {
                let why = input == .gpio
                    ? "input gpio reads each button from its own line"
                    : "input replay matches the trace's lines to buttons"
                let which = name.isEmpty ? "this button" : "button \(quoted(name))"
                try section.reportMissing(Key.buttonLine, "required: \(which) has no line, and \(why); give a "
                    + "line name (GPIO5), chip:offset (gpiochip0:5) or an offset (5)")
            }

            let activeLow = try section.bool(Key.buttonActiveLow) ?? ButtonConfig.defaultActiveLow
            let bias = try section.choice(Key.buttonBias, Bias.self) ?? ButtonConfig.defaultBias
            let decoded = DecodedButton(index: index,
                                        button: ButtonConfig(name: name, line: line, activeLow: activeLow, bias: bias))
            if let line {
                let identity = lineIdentity(line)
                if lines[identity] == nil { lines[identity] = decoded }
                if input == .replay, let offset = line.traceOffset, traceOffsets[offset] == nil {
                    traceOffsets[offset] = decoded
                }
            }
            buttons.append(decoded)
        }
        return buttons
    }

    /// `ack-line` / `misuse-line`: an optional output line, not one of the buttons' lines nor the other output's.
    func decodeOutputLine(_ top: SectionReader, _ key: ConfigKey, buttons: [DecodedButton],
                          other: (key: ConfigKey, line: LineSpec)?) throws(ConfigError) -> LineSpec? {
        guard case let (text, node)? = try top.scalar(key, expected: "a GPIO line") else { return nil }
        guard let spec = LineSpec(parsing: text) else {
            return try top.reject(key, at: node, "\(quoted(text)) is not a line; expected a line name (GPIO26), "
                + "chip:offset (gpiochip0:26, pinctrl-rp1:26) or an offset (26)")
        }
        if let button = buttons.first(where: { $0.button.line.map(lineIdentity) == lineIdentity(spec) }) {
            return try top.reject(key, at: node, "line \(spec) is buttons[\(button.index)]'s (\(button.button.name)) "
                + "input; \(key.name) needs a line of its own (an LED output)")
        }
        if let other, lineIdentity(other.line) == lineIdentity(spec) {
            return try top.reject(key, at: node,
                                  "line \(spec) is already the \(other.key.name); give \(key.name) a line of its own")
        }
        return spec
    }

    /// `press:`; every key optional, defaults from ``PressRules``.
    func decodePress(_ node: Node) throws(ConfigError) -> PressRules {
        let defaults = PressRules.default
        guard let section = try SectionReader(node, keyPath: Key.press.name, keys: Key.pressSection, context: context)
        else { return defaults }
        return PressRules(
            debounceMs: try section.integer(Key.debounceMs) ?? defaults.debounceMs,
            responseIntervalMs: try section.integer(Key.responseIntervalMs)
                ?? defaults.responseIntervalMs,
            simultaneousMs: try section.integer(Key.simultaneousMs) ?? defaults.simultaneousMs,
            heldMs: try section.integer(Key.heldMs) ?? defaults.heldMs)
    }

    /// `report:`; every key optional, defaults from ``ReportSettings``.
    func decodeReport(_ node: Node) throws(ConfigError) -> ReportSettings {
        let defaults = ReportSettings()
        guard let section = try SectionReader(node, keyPath: Key.report.name, keys: Key.reportSection, context: context)
        else { return defaults }
        let minSamples = try section.integer(Key.minSamples) ?? defaults.minSamples
        let directory = try section.filePath(Key.reportDirectory, what: "a folder for the end-of-day reports")
            ?? defaults.directory
        let keepDays = try section.integer(Key.keepDays) ?? defaults.keepDays
        var closingTime = defaults.closingTime
        let expected = "a time of day as HH:MM on the 24-hour clock, e.g. \"21:30\" (\"00:00\" = when the day ends)"
        if case let (text, valueNode)? = try section.scalar(Key.closingTime, expected: expected) {
            // Unquoted 21:30 is a YAML 1.1 base-60 number; its text is what was written.
            if let time = ClockTime(parsing: text) {
                closingTime = time
            } else {
                try section.report(Key.closingTime, at: valueNode, "\(quoted(text)) is not a time; expected \(expected)")
            }
        }
        return ReportSettings(minSamples: minSamples, directory: directory, keepDays: keepDays,
                              closingTime: closingTime)
    }

    /// `upstream:`; `url` and `token-file` are required, the rest has defaults. Nil when the
    /// section is not a mapping.
    func decodeUpstream(_ node: Node) throws(ConfigError) -> UpstreamSettings? {
        guard let section = try SectionReader(node, keyPath: Key.upstream.name, keys: Key.upstreamSection,
                                              context: context)
        else { return nil }
        let expectedURL = "the receiver's base URL, e.g. https://collector.example.com (batches go to {url}/v1/batches)"
        var url = ""
        if case let (text, urlNode)? = try section.scalar(Key.url, expected: expectedURL) {
            url = try upstreamURL(text, node: urlNode, section: section, expected: expectedURL) ?? ""
        } else if !section.failed(Key.url) {
            try section.reportMissing(Key.url, "required: \(expectedURL)")
        }
        let tokenFile = try section.filePath(Key.tokenFile, what: "the path of a file holding the bearer token")
        if tokenFile == nil, !section.failed(Key.tokenFile) {
            try section.reportMissing(Key.tokenFile, "required: the path of a file holding the bearer token the "
                + "receiver gave this terminal (mode 0600, e.g. /etc/smiley/upstream.token)")
        }
        let caFile = try section.filePath(Key.caFile, what: "the path of a PEM file with extra trust roots")
        var settings = UpstreamSettings(url: url, tokenFile: tokenFile ?? "", caFile: caFile)
        settings.batchSize = try section.integer(Key.batchSize)
            ?? settings.batchSize
        settings.coalesceMs = try section.integer(Key.coalesceMs)
            ?? settings.coalesceMs
        settings.intervalSeconds = try section.integer(Key.intervalSeconds) ?? settings.intervalSeconds
        settings.connectTimeoutMs = try section.integer(Key.connectTimeoutMs) ?? settings.connectTimeoutMs
        settings.requestTimeoutMs = try section.integer(Key.requestTimeoutMs) ?? settings.requestTimeoutMs
        settings.retryInitialMs = try section.integer(Key.retryInitialMs) ?? settings.retryInitialMs
        settings.retryMaxMs = try section.integer(Key.retryMaxMs)
            ?? settings.retryMaxMs
        if settings.retryMaxMs < settings.retryInitialMs, !section.failed(Key.retryMaxMs),
           !section.failed(Key.retryInitialMs) {
            let key = section.value(Key.retryMaxMs) != nil ? Key.retryMaxMs : Key.retryInitialMs
            if let node = section.value(key) {
                try section.report(key, at: node,
                                   "retry-max-ms (\(settings.retryMaxMs)) is below retry-initial-ms "
                                       + "(\(settings.retryInitialMs)); the longest wait must be at least the first")
            }
        }
        settings.heartbeatSeconds = try section.integer(Key.heartbeatSeconds)
            ?? settings.heartbeatSeconds
        settings.gzip = try section.bool(Key.gzip) ?? settings.gzip
        return settings
    }

    /// Checks an `upstream.url` and returns it without a trailing slash; nil (recorded) if refused.
    func upstreamURL(_ text: String, node: Node, section: SectionReader, expected: String)
        throws(ConfigError) -> String?
    {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased() else {
            return try section.reject(Key.url, at: node, "\(quoted(text)) is not a URL; expected \(expected)")
        }
        guard scheme == "https" || scheme == "http" else {
            return try section.reject(Key.url, at: node, "\(quoted(text)): scheme \(scheme) is not allowed; use https "
                + "(or http on a trusted network)")
        }
        guard let host = components.host, !host.isEmpty else {
            return try section.reject(Key.url, at: node, "\(quoted(text)) has no host; expected \(expected)")
        }
        if components.user != nil || components.password != nil {
            return try section.reject(Key.url, at: node, "the URL must not carry a user name or password (they would "
                + "show in logs); put the token in token-file")
        }
        if components.query != nil || components.fragment != nil {
            return try section.reject(Key.url, at: node,
                                      "\(quoted(text)): remove the ?query or #fragment; expected \(expected)")
        }
        var result = trimmed
        while result.hasSuffix("/") { result.removeLast() }
        return result
    }

    // MARK: Single values

    /// `timezone`, or the system's zone when absent (or refused, with the problem recorded).
    func decodeZone(_ top: SectionReader) throws(ConfigError) -> Zone {
        let expected = "an IANA time zone id such as Europe/Helsinki"
        guard case let (text, node)? = try top.scalar(Key.timezone, expected: expected) else {
            return Zone.system(environment: context.environment)
        }
        if let zone = Zone(identifier: text) { return zone }
        var message = "unknown time zone \(quoted(text)); expected \(expected)"
        if let suggestion = closestMatch(to: text, in: Zone.knownIdentifiers()) {
            message += "; did you mean \(suggestion)?"
        }
        try top.report(Key.timezone, at: node, message)
        return Zone.system(environment: context.environment)
    }

    /// `$RUNTIME_DIRECTORY` (the first one, when systemd lists several) or `/run/smiley`.
    func defaultRuntimeDirectory() -> String {
        let fromSystemd = context.environment["RUNTIME_DIRECTORY"]?
            .split(separator: ":", omittingEmptySubsequences: true).first.map(String.init)
        return fromSystemd ?? Configuration.defaultRuntimeDirectory
    }
}

/// Why `name` cannot name a button, or nil if it can. Names go into CSV, JSON and logs.
func buttonNameProblem(_ name: String) -> String? {
    let allowed = "letters, digits, - and _"
    if name.isEmpty {
        return "must not be empty; expected a name of \(allowed), e.g. very-unhappy"
    }
    if let bad = name.first(where: { !($0.isLetter || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }) {
        return "\(quoted(name)) contains \(quoted(String(bad))); a name may contain only \(allowed)"
    }
    if name.count > ConfigSchema.maxIdentifierLength {
        return "\(quoted(name)) is \(name.count) characters long; at most \(ConfigSchema.maxIdentifierLength) allowed"
    }
    return nil
}

/// Two specs with the same identity name the same line (`/dev/gpiochip0:5` is `gpiochip0:5`).
func lineIdentity(_ spec: LineSpec) -> String {
    switch spec {
    case .name(let name):
        return "name \(name)"
    case .chipOffset(let chip, let offset):
        let chipName = chip.hasPrefix("/dev/") ? String(chip.dropFirst("/dev/".count)) : chip
        return "chip \(chipName) \(offset)"
    case .offset(let offset):
        return "offset \(offset)"
    }
}
