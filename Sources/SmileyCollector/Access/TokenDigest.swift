import Crypto
import Foundation

/// Bearer tokens as the collector keeps them: only their SHA-256 digest is stored, never the token.
/// Tokens are found by their digest (an index lookup), never compared byte by byte with a stored
/// token, so there is no comparison whose timing could reveal a token.
public enum TokenDigest {
    /// A new token: 32 bytes from the system's random source, as 64 lowercase hex digits.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    public static func of(_ token: String) -> Data { Data(SHA256.hash(data: Data(token.utf8))) }
}
