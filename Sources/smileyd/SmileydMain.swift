import SmileyDaemon

/// The executable is a thin shell: everything lives in the SmileyDaemon module.
@main
struct SmileydMain {
    static func main() async {
        await SmileydCommand.main()
    }
}
