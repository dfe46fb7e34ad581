/// An error meant for a person: its description says what went wrong, where, and what is allowed
/// or what to do; it carries the sysexits status the program ends with. Each executable catches it
/// in one place and prints `<program>: error: <description>`.
public protocol UserFacingError: Error, CustomStringConvertible {
    var exitCode: Int32 { get }
}
