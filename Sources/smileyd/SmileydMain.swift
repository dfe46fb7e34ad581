import SmileyControl
import SmileyDaemon

/// The executable is a thin shell: everything lives in the SmileyDaemon and SmileyControl modules.
/// Called as `smileyctl` it is smileyctl: the terminal package installs smileyctl as a link to
/// smileyd, so the Swift runtime, Foundation and ICU are on the board once (docs/install.md).
@main
struct SmileydMain {
    static func main() async {
        let name = CommandLine.arguments.first?.split(separator: "/").last
        if name == "smileyctl" {
            await SmileyctlCommand.main()
        } else {
            await SmileydCommand.main()
        }
    }
}
