import Foundation

/// Removes the upstream token from text that may echo it (a receiver's answer, a library's
/// message) before the text reaches a log, status.json, the database or a heartbeat: the token as
/// is, JSON-escaped (`\/`, `\u0074`), percent-encoded (either case), hex-encoded and base64-encoded (standard
/// and URL-safe, at every byte alignment, so a token inside a longer encoded value is found too).
/// Scrub the whole text first, then shorten it: a cut could otherwise split the token.
public struct Redactor: Sendable {
    /// The forms to remove, longest first; empty when there is no token.
    let forms: [String]

    /// Encoded fragments shorter than this are not removed (they would match ordinary text).
    static let minimumFormLength = 8

    public init(_ token: BearerToken?) {
        guard let secret = token?.value, secret.count >= 4 else {
            forms = []
            return
        }
        forms = Self.forms(of: secret)
    }

    public func scrub(_ text: String) -> String {
        guard !forms.isEmpty else { return text }
        var result = text.contains("\\") ? Self.unescapingJSON(text) : text
        for form in forms where result.contains(form) {
            result = result.replacingOccurrences(of: form, with: "[token]")
        }
        return result
    }

    /// `\/` and `\uXXXX` escapes of printable ASCII read as the characters they stand for, so a
    /// token with any of its characters escaped is found; other text stays as it is.
    static func unescapingJSON(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\", index + 1 < scalars.count {
                let next = scalars[index + 1]
                if next == "/" {
                    result.append("/")
                    index += 2
                    continue
                }
                if next == "u", index + 5 < scalars.count,
                   let value = UInt32(String(String.UnicodeScalarView(scalars[(index + 2)...(index + 5)])), radix: 16),
                   (0x20..<0x7F).contains(value), let character = Unicode.Scalar(value) {
                    result.append(character)
                    index += 6
                    continue
                }
            }
            result.append(scalar)
            index += 1
        }
        return String(result)
    }

    static func forms(of secret: String) -> [String] {
        let bytes = Array(secret.utf8)
        var forms: Set<String> = [secret]
        for uppercase in [true, false] {
            forms.insert(percentEncoded(bytes, uppercase: uppercase, everything: false))
            forms.insert(percentEncoded(bytes, uppercase: uppercase, everything: true))
            forms.insert(bytes.map { String(format: uppercase ? "%02X" : "%02x", $0) }.joined())
        }
        for alignment in 0..<3 {
            let core = base64Core(bytes, alignment: alignment)
            forms.insert(core)
            forms.insert(core.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
        }
        return forms.filter { $0 == secret || $0.count >= minimumFormLength }.sorted { $0.count > $1.count }
    }

    /// `%XX` for the characters a URL encoder escapes in a query value (or for every byte).
    static func percentEncoded(_ bytes: [UInt8], uppercase: Bool, everything: Bool) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        return bytes.map { byte in
            !everything && unreserved.contains(byte)
                ? String(UnicodeScalar(byte)) : String(format: uppercase ? "%%%02X" : "%%%02x", byte)
        }.joined()
    }

    /// The base64 characters that depend only on the secret's bytes when `alignment` bytes of
    /// anything come before it (0, 1 or 2: every position in a longer encoded value).
    static func base64Core(_ bytes: [UInt8], alignment: Int) -> String {
        let padded = [UInt8](repeating: 0, count: alignment) + bytes + [0, 0, 0]
        let encoded = Array(Data(padded).base64EncodedString())
        let first = (8 * alignment + 5) / 6
        let end = (8 * (alignment + bytes.count)) / 6
        guard first < end, end <= encoded.count else { return "" }
        return String(encoded[first..<end])
    }
}
