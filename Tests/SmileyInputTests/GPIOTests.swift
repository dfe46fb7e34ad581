import Foundation
import SmileyConfig
import SmileyPlatform
import Testing
@testable import SmileyInput
#if canImport(Glibc)
import Glibc
#endif

/// Chips as a Raspberry Pi 4 with an extra expander would show them.
private let pi = GPIOChipDescription(path: "/dev/gpiochip0", name: "gpiochip0", label: "pinctrl-bcm2711",
                                     lineNames: (0..<58).map { $0 < 28 ? "GPIO\($0)" : ($0 == 28 ? "RGMII_MDIO" : "") })
private let expander = GPIOChipDescription(path: "/dev/gpiochip1", name: "gpiochip1", label: "raspberrypi-exp-gpio",
                                           lineNames: ["BT_ON", "WL_ON", "PWR_LED_OFF", "GLOBAL_RESET", "", "", "", "GPIO21"])
private let unnamed = GPIOChipDescription(path: "/dev/gpiochip2", name: "gpiochip2", label: "gpio-sim.0-node0",
                                          lineNames: Array(repeating: "", count: 8))

@Suite("GPIO line resolution")
struct GPIOLineResolverTests {
    let resolver = GPIOLineResolver(scan: GPIOChipScan(chips: [pi, expander, unnamed]))

    @Test func aNameIsSearchedOnEveryChip() throws {
        let line = try resolver.resolve(.name("GPIO5"), user: "button a")
        #expect(line.chipPath == "/dev/gpiochip0" && line.offset == 5 && line.lineName == "GPIO5")
        #expect(line.location == "gpiochip0:5 [pinctrl-bcm2711] \"GPIO5\"")
        let other = try resolver.resolve(.name("WL_ON"), user: "button b")
        #expect(other.chipName == "gpiochip1" && other.offset == 1)
    }

    @Test func chipOffsetByLabelNamePathAndBareName() throws {
        for chip in ["pinctrl-bcm2711", "gpiochip0", "/dev/gpiochip0"] {
            let line = try resolver.resolve(.chipOffset(chip: chip, offset: 13), user: "button a")
            #expect(line.chipPath == "/dev/gpiochip0" && line.offset == 13 && line.lineName == "GPIO13", "\(chip)")
        }
        let sim = try resolver.resolve(.chipOffset(chip: "gpio-sim.0-node0", offset: 3), user: "button a")
        #expect(sim.chipName == "gpiochip2" && sim.lineName.isEmpty)
        #expect(sim.location == "gpiochip2:3 [gpio-sim.0-node0]")
    }

    @Test func aNameOnTwoChipsAsksForChipOffset() {
        #expect(throws: InputError.gpioAmbiguousLine(line: "GPIO21", user: "button c",
                                                     candidates: ["pinctrl-bcm2711:21", "raspberrypi-exp-gpio:7"])) {
            try resolver.resolve(.name("GPIO21"), user: "button c")
        }
        let error = InputError.gpioAmbiguousLine(line: "GPIO21", user: "button c",
                                                 candidates: ["pinctrl-bcm2711:21", "raspberrypi-exp-gpio:7"])
        #expect(error.description == "GPIO line GPIO21 (button c) fits more than one chip: pinctrl-bcm2711:21, "
            + "raspberrypi-exp-gpio:7; write the line as chip:offset, e.g. pinctrl-bcm2711:21")
        #expect(error.exitCode == 78)
    }

    @Test func aMissingNameListsTheChipsAndTheirNamedLines() throws {
        do {
            _ = try resolver.resolve(.name("GPIO99"), user: "button very-happy")
            Issue.record("GPIO99 resolved")
        } catch {
            guard case .gpioLineNotFound(let line, let user, let available) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(line == "GPIO99" && user == "button very-happy")
            #expect(available.contains("gpiochip0 [pinctrl-bcm2711] 58 lines: GPIO0 GPIO1 GPIO2"))
            #expect(available.contains("GPIO27 RGMII_MDIO"))
            #expect(available.contains("gpiochip1 [raspberrypi-exp-gpio] 8 lines: BT_ON WL_ON"))
            #expect(available.contains("gpiochip2 [gpio-sim.0-node0] 8 lines, none named (use gpiochip2:OFFSET)"))
            #expect(error.exitCode == 69)
            #expect(error.description.hasPrefix("GPIO line GPIO99 (button very-happy) not found on any chip; chips: "))
        }
    }

    @Test func unknownChipAndOffsetOutOfRange() {
        #expect(throws: InputError.gpioChipNotFound(line: "pinctrl-rp1:5", user: "ack-line",
                                                   available: resolver.scan.availableDescription)) {
            try resolver.resolve(.chipOffset(chip: "pinctrl-rp1", offset: 5), user: "ack-line")
        }
        #expect(throws: InputError.gpioOffsetOutOfRange(line: "gpiochip1:8", user: "button a",
                                                       chip: "gpiochip1 [raspberrypi-exp-gpio]", lineCount: 8)) {
            try resolver.resolve(.chipOffset(chip: "gpiochip1", offset: 8), user: "button a")
        }
        #expect(InputError.gpioOffsetOutOfRange(line: "gpiochip1:8", user: "button a", chip: "gpiochip1", lineCount: 8)
            .description == "GPIO line gpiochip1:8 (button a): gpiochip1 has 8 lines, offsets 0 to 7")
    }

    @Test func aBareOffsetNeedsExactlyOneChip() throws {
        #expect(throws: InputError.gpioAmbiguousLine(line: "5", user: "button a",
                                                     candidates: ["gpiochip0:5", "gpiochip1:5", "gpiochip2:5"])) {
            try resolver.resolve(.offset(5), user: "button a")
        }
        let single = GPIOLineResolver(scan: GPIOChipScan(chips: [unnamed]))
        #expect(try single.resolve(.offset(5), user: "button a").chipName == "gpiochip2")
    }

    @Test func noChipAtAll() {
        let empty = GPIOLineResolver(scan: GPIOChipScan(chips: [], devDirectory: "/nowhere"))
        do {
            _ = try empty.resolve(.name("GPIO5"), user: "button a")
            Issue.record("resolved without chips")
        } catch {
            #expect(error.description.contains("no GPIO character device (gpiochip*) in /nowhere"))
            #expect(error.exitCode == 69)
        }
    }

    @Test func aChipThatMayNotBeOpenedIsAPermissionProblemNotAMissingLine() throws {
        let folder = NSTemporaryDirectory() + "smiley-gpio-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let device = folder + "/gpiochip0"
        _ = FileManager.default.createFile(atPath: device, contents: nil)
        chmod(device, 0o660)
        let scan = GPIOChipScan(chips: [], unopenable: [(device, EACCES)], devDirectory: folder)
        do {
            _ = try GPIOLineResolver(scan: scan).resolve(.name("GPIO5"), user: "button a")
            Issue.record("resolved")
        } catch {
            guard case .gpioPermissionDenied(let path, let owner, let mode, let remedy) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == device && mode == "0660")
            #expect(owner.contains(":"))
            #expect(remedy.contains("SupplementaryGroups=") && remedy.contains("udev"))
            #expect(error.exitCode == 77)
            #expect(error.description.hasPrefix("permission denied opening \(device) (owner \(owner), mode 0660): "))
        }
    }

    @Test func twoSpellingsOfOneLineAreRefusedBeforeAnyDeviceIsOpened() {
        // The chips here are descriptions only: the check must come before opening anything.
        let buttons = [ButtonConfig(name: "a", line: .name("GPIO5")),
                       ButtonConfig(name: "b", line: .chipOffset(chip: "pinctrl-bcm2711", offset: 5))]
        #expect(throws: InputError.gpioLineUsedTwice(line: "pinctrl-bcm2711:5", user: "button b", otherLine: "GPIO5",
                                                     otherUser: "button a",
                                                     location: "gpiochip0:5 [pinctrl-bcm2711] \"GPIO5\"")) {
            try GPIOSource(buttons: buttons, debounceMs: 30, scan: resolver.scan)
        }
        let error = InputError.gpioLineUsedTwice(line: "pinctrl-bcm2711:5", user: "button b", otherLine: "GPIO5",
                                                 otherUser: "button a", location: "gpiochip0:5 [pinctrl-bcm2711] \"GPIO5\"")
        #expect(error.description == "GPIO line pinctrl-bcm2711:5 (button b) is the same line as GPIO5 (button a): "
            + "gpiochip0:5 [pinctrl-bcm2711] \"GPIO5\"; every button needs a line of its own")
        #expect(error.exitCode == 78)
    }

    @Test func busyNamesTheConsumer() {
        let error = InputError.gpioLineBusy(line: "GPIO19", user: "button very-happy",
                                            location: "gpiochip0:19 [pinctrl-bcm2711] \"GPIO19\"", consumer: "gpiomon")
        #expect(error.description == "GPIO line GPIO19 (button very-happy, gpiochip0:19 [pinctrl-bcm2711] \"GPIO19\") "
            + "is busy: held by \"gpiomon\"; stop that program (or another smileyd) first, see gpioinfo")
        #expect(error.exitCode == 69)
    }
}

@Suite("GPIO devices on this machine")
struct GPIODeviceTests {
    @Test func theLibraryMatchesItsAPI() {
        let version = GPIOLibrary.version
        #expect(GPIOLibrary.apiMajor == 1 || GPIOLibrary.apiMajor == 2)
        #expect(version.hasPrefix("\(GPIOLibrary.apiMajor).") || version == "\(GPIOLibrary.apiMajor)", "\(version)")
        #expect(GPIOLibrary.kernelDebounce == (GPIOLibrary.apiMajor == 2))
    }

    @Test func theScanSkipsWhatIsNotACharacterDevice() throws {
        let folder = NSTemporaryDirectory() + "smiley-dev-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = FileManager.default.createFile(atPath: folder + "/gpiochip0", contents: Data("not a device".utf8))
        try FileManager.default.createSymbolicLink(atPath: folder + "/gpiochip1", withDestinationPath: "/dev/null")
        let scan = GPIOChipScan.scan(devDirectory: folder)
        #expect(scan.chips.isEmpty && scan.unopenable.isEmpty)
        // And the source says plainly that there is nothing to read.
        do {
            _ = try GPIOSource(buttons: [ButtonConfig(name: "a", line: .name("GPIO5")),
                                         ButtonConfig(name: "b", line: .name("GPIO6"))],
                               debounceMs: 30, scan: scan)
            Issue.record("a GPIO source without chips")
        } catch {
            #expect(error == .gpioUnavailable(reason: "no GPIO character device (gpiochip*) in \(folder): "
                + "this system has no GPIO chip, or the kernel lacks GPIO_CDEV"))
            #expect(error.exitCode == 69)
        }
    }

    /// A character device that is no GPIO chip (here /dev/null's numbers): libgpiod refuses it,
    /// and the scan keeps the reason instead of pretending the chip is absent.
    @Test(.enabled(if: getuid() == 0, "mknod needs root"))
    func aCharacterDeviceThatIsNoGPIOChip() throws {
        let folder = NSTemporaryDirectory() + "smiley-dev-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let device = folder + "/gpiochip7"
        guard mknod(device, S_IFCHR | 0o600, dev_t((1 << 8) | 3) /* makedev(1, 3): /dev/null */) == 0 else {
            Issue.record("mknod failed: errno \(errno)")
            return
        }
        let scan = GPIOChipScan.scan(devDirectory: folder)
        #expect(scan.chips.isEmpty)
        #expect(scan.unopenable.map(\.path) == [device])
        #expect(scan.availableDescription.contains("not readable: \(device) ("))
        #expect(throws: InputError.self) {
            try GPIOOutputLine(spec: .name("GPIO26"), role: "ack-line", scan: scan)
        }
    }
}

@Suite("waiting on several descriptors")
struct MultiWaitTests {
    @Test func reportsEveryReadableDescriptorAndWakesOnCancel() throws {
        var first: [Int32] = [0, 0]
        var second: [Int32] = [0, 0]
        #expect(pipe(&first) == 0 && pipe(&second) == 0)
        defer { [first[0], first[1], second[0], second[1]].forEach { close($0) } }
        let waiter = try FileDescriptorWaiter()
        var byte: UInt8 = 1
        #expect(write(second[1], &byte, 1) == 1)
        #expect(try waiter.wait(forAny: [first[0], second[0]]) == .readable([1]))
        #expect(write(first[1], &byte, 1) == 1)
        #expect(try waiter.wait(forAny: [first[0], second[0]]) == .readable([0, 1]))
        waiter.cancel()
        #expect(try waiter.wait(forAny: [first[0], second[0]]) == .cancelled)
    }

    @Test func aHungUpDescriptorIsReported() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        close(fds[1])
        let waiter = try FileDescriptorWaiter()
        #expect(try waiter.wait(forAny: [fds[0]]) == .hangup(0))
    }
}
