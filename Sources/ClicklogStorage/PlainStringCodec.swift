import ClicklogEvents

/// Codec 5, `plain`: the lengths of the present values as varints, then their bytes back to
/// back. Lengths come first so that zstd sees the text as one run. Chosen when a block's
/// values are mostly distinct (free text, ids that are not UUIDs).
///
/// Example, ["hi", null, "", "été"] (presence section not shown; 3 present values):
/// `02 00 05  68 69 C3 A9 74 C3 A9`.
enum PlainStringCodec {
    static let id = CodecID.plainString

    /// Appends the present values of `column`. A null row's range is empty, so the column's
    /// byte array is exactly the present values back to back.
    static func encode(_ column: StringColumn, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + column.count * 2 + column.bytes.count)
        let presence = column.presence
        column.ends.withUnsafeBufferPointer { ends in
            out.appendWriting(maximum: ends.count * 5) { p in
                var n = 0
                var start: UInt32 = 0
                for row in 0..<ends.count {
                    if let presence, !presence[row] { continue }
                    n += Varint.put(UInt64(ends[row] &- start), at: p + n)
                    start = ends[row]
                }
                return n
            }
        }
        out.append(contentsOf: column.bytes)
    }

    /// Bytes `encode` would write, for choosing between codecs.
    static func estimatedSize(_ column: StringColumn) -> Int {
        var size = column.bytes.count
        var start: UInt32 = 0
        column.ends.withUnsafeBufferPointer { ends in
            if let presence = column.presence {
                presence.withUnsafeBufferPointer { presence in
                    for row in 0..<ends.count where presence[row] {
                        size += Varint.size(UInt64(ends[row] &- start))
                        start = ends[row]
                    }
                }
            } else {
                for end in ends {
                    size += Varint.size(UInt64(end &- start))
                    start = end
                }
            }
        }
        return size
    }

    /// Reads the values of the present rows into `column` (emptied first); `presence` is set as given.
    static func decode(_ reader: inout ByteReader, presence: [Bool]?, rows: Int, into column: inout StringColumn) throws {
        column.removeAll(keepingCapacity: true)
        column.ends.reserveCapacity(rows)
        var total = 0
        for row in 0..<rows {
            if presence == nil || presence![row] {
                total += try reader.readLength(limit: reader.remaining)
                guard total <= reader.remaining else { throw StorageError.corrupt("string lengths exceed the chunk") }
            }
            column.ends.append(UInt32(total))
        }
        column.bytes.append(contentsOf: try reader.readBytes(total))
        column.presence = presence
    }
}
