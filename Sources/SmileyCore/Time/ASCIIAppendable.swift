/// Where ``RFC3339`` writes: a byte buffer or a string, one ASCII character at a time.
public protocol ASCIIAppendable {
    mutating func appendASCII(_ byte: UInt8)
}

extension Array: ASCIIAppendable where Element == UInt8 {
    @inlinable
    public mutating func appendASCII(_ byte: UInt8) { append(byte) }
}

extension String: ASCIIAppendable {
    @inlinable
    public mutating func appendASCII(_ byte: UInt8) { unicodeScalars.append(Unicode.Scalar(byte)) }
}
