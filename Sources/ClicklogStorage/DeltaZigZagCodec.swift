import ClicklogEvents

/// Codec 3, `delta-zigzag`: the first present value as a zigzag varint, then each present
/// value's difference from the previous present value as a zigzag varint. Differences use
/// wrapping arithmetic, so every Int64 (including `.min` next to `.max`) round-trips.
///
/// Timestamps in arrival order move by a few ms (client `ts`) or µs (`received_at`) per row,
/// so most differences take one or two bytes, and runs of equal `received_at` within one
/// message are zero bytes that zstd folds away.
///
/// Example, ts = [1_700_000_000_000, 1_700_000_000_250, 1_700_000_000_245]:
/// `80 A0 AB FE F9 62  F4 03  09` (zigzag(1.7e12) = 3.4e12; +250 → 500 = `F4 03`; −5 → 9 = `09`).
enum DeltaZigZagCodec {
    static let id = CodecID.deltaZigZag

    static func encode(_ values: [Int64], presence: [Bool]?, into out: inout [UInt8]) {
        var previous: Int64 = 0
        values.withUnsafeBufferPointer { values in
            out.appendWriting(maximum: values.count * 10) { p in
                var n = 0
                if let presence {
                    presence.withUnsafeBufferPointer { present in
                        for i in 0..<values.count where present[i] {
                            n += Varint.put(Varint.zigzag(values[i] &- previous), at: p + n)
                            previous = values[i]
                        }
                    }
                } else {
                    for v in values {
                        n += Varint.put(Varint.zigzag(v &- previous), at: p + n)
                        previous = v
                    }
                }
                return n
            }
        }
    }

    /// Reads one value per present row; null rows get 0, as `Int64Column.appendNull` stores.
    /// Without nulls (every `ts`) the values are written straight into the array's storage:
    /// appending paid a uniqueness check per row, a tenth of decoding `ts`.
    static func decode(_ reader: inout ByteReader, presence: [Bool]?, rows: Int, into values: inout [Int64]) throws {
        values.removeAll(keepingCapacity: true)
        if presence == nil {
            values.append(contentsOf: repeatElement(0, count: rows))
            try values.withUnsafeMutableBufferPointer { out in
                var previous: Int64 = 0
                for i in 0..<rows {
                    previous = previous &+ Varint.unzigzag(try reader.readVarint())
                    out[i] = previous
                }
            }
            return
        }
        values.reserveCapacity(rows)
        var previous: Int64 = 0
        for i in 0..<rows {
            if let presence, !presence[i] {
                values.append(0)
            } else {
                previous = previous &+ Varint.unzigzag(try reader.readVarint())
                values.append(previous)
            }
        }
    }
}
