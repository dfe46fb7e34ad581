/// The ids of regions, sites and terminals the organisation accepts: 1 to 64 characters of
/// letters, digits, `.`, `_` and `-` (they appear in URLs, logs and tab-separated output).
public enum OrganisationName {
    public static let maxLength = 64

    /// Nil when `name` is acceptable, else why not (`what` names it: "site id", "region").
    public static func problem(_ name: String, what: String) -> String? {
        if name.isEmpty { return "\(what) must not be empty" }
        if name.count > maxLength { return "\(what) \"\(name.prefix(maxLength))…\" is longer than \(maxLength) characters" }
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
            default: false
            }
        }
        return allowed ? nil : "\(what) \"\(name)\" may hold only letters, digits, '.', '_' and '-'"
    }
}
