import SmileyControl

/// The executable is a thin shell: everything lives in the SmileyControl module.
@main
struct SmileyctlMain {
    static func main() async {
        await SmileyctlCommand.main()
    }
}
