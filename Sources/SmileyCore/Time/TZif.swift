/// Reads a compiled zone file (TZif, RFC 8536, versions 1 to 4) into ``ZoneRules``. Every count
/// and index is checked against the file's length: a damaged file is an error, never a trap.
enum TZif {
    /// Larger than any zone the tz database ships.
    static let maxBytes = 1 << 20

    static func parse(_ bytes: [UInt8]) throws(TZifError) -> ZoneRules {
        guard bytes.count <= maxBytes else { throw TZifError("larger than \(maxBytes) bytes") }
        var reader = Reader(bytes: bytes)
        let first = try reader.header()
        guard first.version >= 2 else {
            let block = try reader.dataBlock(first, timeSize: 4)
            return try rules(first, block, footer: nil)
        }
        // Version 2+: skip the 32-bit block, read the 64-bit one and the footer.
        try reader.skip(first.blockLength(timeSize: 4))
        let second = try reader.header()
        let block = try reader.dataBlock(second, timeSize: 8)
        let footer = try reader.footer()
        return try rules(second, block, footer: footer.isEmpty ? nil : PosixTZRule(parsing: footer))
    }

    private static func rules(_ header: Header, _ block: DataBlock, footer: PosixTZRule?) throws(TZifError) -> ZoneRules {
        guard !block.typeOffsets.isEmpty else { throw TZifError("no local time types") }
        var offsets: [Int] = []
        offsets.reserveCapacity(block.typeIndices.count)
        for index in block.typeIndices {
            guard Int(index) < block.typeOffsets.count else {
                throw TZifError("transition type \(index) beyond the \(block.typeOffsets.count) types")
            }
            offsets.append(block.typeOffsets[Int(index)])
        }
        for i in block.transitions.indices.dropFirst() where block.transitions[i] <= block.transitions[i - 1] {
            throw TZifError("transition times not in ascending order")
        }
        return ZoneRules(transitions: block.transitions, offsets: offsets,
                         initialOffset: block.typeOffsets[0], footer: footer)
    }

    struct Header {
        var version: Int
        var isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt: Int

        func blockLength(timeSize: Int) -> Int {
            timecnt * timeSize + timecnt + typecnt * 6 + charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt
        }
    }

    struct DataBlock {
        var transitions: [Int64]
        var typeIndices: [UInt8]
        var typeOffsets: [Int]
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func skip(_ count: Int) throws(TZifError) {
            guard count >= 0, bytes.count - position >= count else { throw TZifError("truncated") }
            position += count
        }

        mutating func u8() throws(TZifError) -> UInt8 {
            guard position < bytes.count else { throw TZifError("truncated") }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func int(size: Int) throws(TZifError) -> Int64 {
            guard bytes.count - position >= size else { throw TZifError("truncated") }
            var value: UInt64 = 0
            for i in 0..<size { value = value << 8 | UInt64(bytes[position + i]) }
            position += size
            // Sign-extend a 32-bit value.
            return size == 4 ? Int64(Int32(truncatingIfNeeded: value)) : Int64(bitPattern: value)
        }

        mutating func header() throws(TZifError) -> Header {
            guard bytes.count - position >= 44, Array(bytes[position..<(position + 4)]) == Array("TZif".utf8) else {
                throw TZifError("no TZif magic")
            }
            let versionByte = bytes[position + 4]
            let version: Int
            switch versionByte {
            case 0: version = 1
            case UInt8(ascii: "2")...UInt8(ascii: "9"): version = Int(versionByte - UInt8(ascii: "0"))
            default: throw TZifError("unknown version byte \(versionByte)")
            }
            position += 20
            var counts: [Int] = []
            for _ in 0..<6 {
                let count = try int(size: 4)
                // No real zone comes near this; it also keeps the length arithmetic far from overflow.
                guard (0...100_000).contains(count) else { throw TZifError("count \(count) out of range") }
                counts.append(Int(count))
            }
            let header = Header(version: version, isutcnt: counts[0], isstdcnt: counts[1], leapcnt: counts[2],
                                timecnt: counts[3], typecnt: counts[4], charcnt: counts[5])
            guard header.typecnt >= 1, header.typecnt <= 256 else { throw TZifError("\(header.typecnt) local time types (1 to 256 allowed)") }
            return header
        }

        mutating func dataBlock(_ header: Header, timeSize: Int) throws(TZifError) -> DataBlock {
            guard bytes.count - position >= header.blockLength(timeSize: timeSize) else { throw TZifError("truncated") }
            var transitions: [Int64] = []
            transitions.reserveCapacity(header.timecnt)
            for _ in 0..<header.timecnt { transitions.append(try int(size: timeSize)) }
            var indices: [UInt8] = []
            indices.reserveCapacity(header.timecnt)
            for _ in 0..<header.timecnt { indices.append(try u8()) }
            var offsets: [Int] = []
            for _ in 0..<header.typecnt {
                let offset = try int(size: 4)
                // RFC 8536: -2^31 is not allowed; real offsets are within a day.
                guard (-89_999...93_599).contains(offset) else { throw TZifError("UTC offset \(offset) s out of range") }
                offsets.append(Int(offset))
                try skip(2) // isdst, designation index
            }
            try skip(header.charcnt + header.leapcnt * (timeSize + 4) + header.isstdcnt + header.isutcnt)
            return DataBlock(transitions: transitions, typeIndices: indices, typeOffsets: offsets)
        }

        /// `\n<POSIX TZ string>\n` after the 64-bit block.
        mutating func footer() throws(TZifError) -> String {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\n") else { throw TZifError("no footer") }
            let start = position + 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            guard end < bytes.count else { throw TZifError("unterminated footer") }
            guard end - start <= 256 else { throw TZifError("footer longer than 256 bytes") }
            position = end + 1
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }
}
