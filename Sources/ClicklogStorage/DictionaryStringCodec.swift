import ClicklogEvents

/// Codecs 6, 8 and 10 (`dictionary`, `dictionary-uuid`, `dictionary-uuid4`): the block's
/// distinct values once, then one code per present row. For low-cardinality columns (event,
/// site, url, referrer, title, selector, user_agent, prop keys) and repeated UUIDs (anonymous
/// and session ids).
///
///     varint d                         number of distinct values
///     values, by codec:
///       dictionary:        d varint lengths, then the d values' bytes
///       dictionary-uuid:   d × 16 bytes (as `UUIDCodec`)
///       dictionary-uuid4:  d × 15 bytes, then ceil(d/4) bytes of 2-bit rests (as `UUID4Codec`)
///     byte w                           code layout: 1…4 = fixed width, 0 = varints,
///                                      5 = move-to-front ranks as varints
///     m codes                          each present row's code (index of its value):
///                                      w bytes little-endian each, or one varint each;
///                                      for layout 5 one varint rank each (see `MoveToFront`)
///
/// The encoder picks the order and the code layout per chunk by estimating each layout's bytes
/// (`plan`). Ids that recur in bursts (anonymous and session ids: a visitor's events cluster)
/// take move-to-front ranks, mostly one byte. Values with a skewed, Zipf-like popularity
/// (referrers, titles, click texts) are numbered by descending frequency and coded as varints.
/// Small dictionaries keep first-appearance order and one-byte codes, which zstd packs well.
///
/// Example, ["click", "view", "click"] (presence section not shown):
/// `02  05 04  63 6C 69 63 6B 76 69 65 77  01  00 01 00`.
enum DictionaryStringCodec {
    enum Values {
        case plain, uuid, uuid4

        var codec: CodecID {
            switch self {
            case .plain: .dictionaryString
            case .uuid: .dictionaryUUID
            case .uuid4: .dictionaryUUID4
            }
        }

        init?(_ codec: UInt8) {
            switch CodecID(rawValue: codec) {
            case .dictionaryString?: self = .plain
            case .dictionaryUUID?: self = .uuid
            case .dictionaryUUID4?: self = .uuid4
            default: return nil
            }
        }
    }

    /// The code layout byte for varint codes.
    static let varintLayout = 0
    /// The code layout byte for move-to-front ranks.
    static let moveToFrontLayout = 5

    /// How the encoder numbers and writes codes, chosen by `plan`.
    struct Plan {
        /// `order[k]` is the table index of the value given code k.
        var order: [UInt32] = []
        /// `code[tableIndex]` is that value's code.
        var code: [UInt32] = []
        /// The code layout byte: 1…4 fixed width, `varintLayout` or `moveToFrontLayout`.
        var width = 1
        var estimatedCodeBytes = 0
        /// Move-to-front ranks, one per present row, when `width == moveToFrontLayout`.
        var ranks: [UInt32] = []
        var moveToFront = MoveToFront()
        /// Scratch of `sortByCount`: where each count's values start in `order`.
        var bucketStarts: [UInt32] = []
    }

    /// Chooses order and code layout for `table` by estimated bytes before compression: fixed
    /// width (counted at 3/4, since zstd shrinks fixed-width codes more than varints), varints
    /// in frequency order, or move-to-front ranks. `counts` is scratch.
    static func plan(_ table: StringTable, counts: inout [UInt32], into plan: inout Plan) {
        let d = table.distinctCount
        let m = table.codes.count
        let fixed = codeWidth(distinct: d)
        plan.order.removeAll(keepingCapacity: true)
        plan.code.removeAll(keepingCapacity: true)
        plan.width = fixed
        plan.estimatedCodeBytes = m * fixed
        // One-byte codes cannot lose: varints and ranks take at least a byte a row, and fixed
        // width counts at 3/4. So small dictionaries keep first-appearance order uncounted.
        guard d > 1, fixed > 1 else { return identity(d, &plan) }
        counts.removeAll(keepingCapacity: true)
        counts.append(contentsOf: repeatElement(0, count: d))
        counts.withUnsafeMutableBufferPointer { counts in
            var maxCount: UInt32 = 0
            for c in table.codes {
                counts[Int(c)] &+= 1
                maxCount = max(maxCount, counts[Int(c)])
            }
            sortByCount(UnsafeBufferPointer(counts), maxCount: Int(maxCount), into: &plan)
        }
        var varintBytes = 0
        for (rank, index) in plan.order.enumerated() { varintBytes += Int(counts[Int(index)]) * Varint.size(UInt64(rank)) }
        let fixedBytes = m * fixed * 3 / 4
        // Computing ranks stops once they reach the better of the other two: that gives the same
        // choice as ranking every row, at a fraction of the cost (ranking was the largest part of
        // encoding a block).
        let mtfBytes = plan.moveToFront.ranks(
            of: table.codes, distinct: d, into: &plan.ranks, budget: 64 * m, byteLimit: min(varintBytes, fixedBytes))
        if let mtfBytes, mtfBytes < varintBytes, mtfBytes < fixedBytes {
            identity(d, &plan)
            plan.width = moveToFrontLayout
            plan.estimatedCodeBytes = mtfBytes
            return
        }
        guard varintBytes < fixedBytes else { return identity(d, &plan) }
        plan.code.append(contentsOf: [UInt32](repeating: 0, count: d))
        for (rank, index) in plan.order.enumerated() { plan.code[Int(index)] = UInt32(rank) }
        plan.width = varintLayout
        plan.estimatedCodeBytes = varintBytes
    }

    /// Fills `plan.order` with the table indexes by descending count, ties by index. A counting
    /// sort: counts are rows of one block, so there are at most as many buckets as rows, and
    /// sorting a few thousand visitor ids by comparison (a closure call per comparison) was a
    /// fifth of planning a block.
    private static func sortByCount(_ counts: UnsafeBufferPointer<UInt32>, maxCount: Int, into plan: inout Plan) {
        let d = counts.count
        plan.bucketStarts.removeAll(keepingCapacity: true)
        plan.bucketStarts.append(contentsOf: repeatElement(0, count: maxCount + 1))
        plan.order.append(contentsOf: repeatElement(0, count: d))
        plan.bucketStarts.withUnsafeMutableBufferPointer { starts in
            // Bucket maxCount - c holds the values counted c times, so buckets ascend as counts descend.
            for c in counts { starts[maxCount - Int(c)] &+= 1 }
            var next: UInt32 = 0
            for b in 0...maxCount {
                let size = starts[b]
                starts[b] = next
                next &+= size
            }
            plan.order.withUnsafeMutableBufferPointer { order in
                for (index, c) in counts.enumerated() {
                    let b = maxCount - Int(c)
                    order[Int(starts[b])] = UInt32(index)
                    starts[b] &+= 1
                }
            }
        }
    }

    private static func identity(_ d: Int, _ plan: inout Plan) {
        plan.order.removeAll(keepingCapacity: true)
        plan.order.append(contentsOf: 0..<UInt32(d))
        plan.code = plan.order
    }

    /// Bytes `encode` would write for the column described by `table` and `plan`.
    static func estimatedSize(_ table: StringTable, plan: Plan, column: StringColumn, values: Values) -> Int {
        let d = table.distinctCount
        let size = Varint.size(UInt64(d)) + 1 + plan.estimatedCodeBytes
        switch values {
        case .uuid: return size + d * UUIDCodec.binaryLength
        case .uuid4: return size + d * UUID4Codec.packedLength + (d + 3) / 4
        case .plain:
            var strings = table.distinctBytes
            for row in table.firstRows { strings += Varint.size(UInt64(column.range(of: Int(row)).count)) }
            return size + strings
        }
    }

    static func codeWidth(distinct d: Int) -> Int {
        d <= 1 << 8 ? 1 : d <= 1 << 16 ? 2 : d <= 1 << 24 ? 3 : 4
    }

    /// Appends the dictionary and codes of `column`, whose `table` was built from it.
    static func encode(_ column: StringColumn, table: StringTable, plan: Plan, values: Values, into out: inout [UInt8]) {
        let d = table.distinctCount
        out.appendVarint(UInt64(d))
        column.bytes.withUnsafeBytes { bytes in
            func value(_ k: Int) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: bytes[column.range(of: Int(table.firstRows[Int(plan.order[k])]))])
            }
            switch values {
            case .uuid: for k in 0..<d { UUIDCodec.pack(value(k), into: &out) }
            case .uuid4: UUID4Codec.pack(count: d, into: &out, value: value)
            case .plain:
                for k in 0..<d { out.appendVarint(UInt64(value(k).count)) }
                for k in 0..<d { out.append(contentsOf: value(k)) }
            }
        }
        out.append(UInt8(plan.width))
        let codes = table.codes
        if plan.width == moveToFrontLayout {
            out.appendWriting(maximum: plan.ranks.count * 5) { p in
                var n = 0
                for r in plan.ranks { n += Varint.put(UInt64(r), at: p + n) }
                return n
            }
            return
        }
        if plan.width == varintLayout {
            // Through a pointer, as the ranks above: an append per byte checked the array's
            // uniqueness and capacity each time.
            out.appendWriting(maximum: codes.count * 5) { p in
                plan.code.withUnsafeBufferPointer { code in
                    var n = 0
                    for c in codes { n += Varint.put(UInt64(code[Int(c)]), at: p + n) }
                    return n
                }
            }
            return
        }
        let width = plan.width
        let start = out.count
        out.appendZeros(codes.count * width)
        out.withUnsafeMutableBytes { o in
            codes.withUnsafeBufferPointer { codes in
                plan.code.withUnsafeBufferPointer { code in
                    var p = start
                    switch width {
                    case 1: for c in codes { o[p] = UInt8(truncatingIfNeeded: code[Int(c)]); p += 1 }
                    case 2:
                        for c in codes {
                            o.storeBytes(of: UInt16(truncatingIfNeeded: code[Int(c)]).littleEndian, toByteOffset: p, as: UInt16.self)
                            p += 2
                        }
                    default:
                        for c in codes {
                            let v = code[Int(c)]
                            for k in 0..<width { o[p + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
                            p += width
                        }
                    }
                }
            }
        }
    }

    /// Reads the dictionary into `dictionary` (as text, UUIDs expanded) and the codes of the
    /// `present` rows into `codes`, checking every code against the dictionary size.
    ///
    /// With `packedUUIDs`, the values of `dictionary-uuid` and `dictionary-uuid4` stay as their
    /// 16 bytes (`b0…b15`, the bytes the text spells in hex) instead of 36 characters of text:
    /// the query engine keys visitors on those bytes, and formatting hex only for it to be
    /// parsed back was a fifth of interning them. Returns whether the values are so packed.
    @discardableResult
    static func decode(
        _ reader: inout ByteReader, values: Values, present: Int,
        dictionary: inout StringColumn, codes: inout [UInt32], packedUUIDs: Bool = false
    ) throws -> Bool {
        dictionary.removeAll(keepingCapacity: true)
        let d = try reader.readLength(limit: present)
        let packed = packedUUIDs && values != .plain
        switch values {
        case .uuid:
            guard d * UUIDCodec.binaryLength <= reader.remaining else { throw StorageError.corrupt("dictionary exceeds the chunk") }
            if packed {
                dictionary.bytes.append(contentsOf: try reader.readBytes(d * UUIDCodec.binaryLength))
            } else {
                dictionary.bytes.reserveCapacity(d * UUIDCodec.textLength)
                for _ in 0..<d { UUIDCodec.unpack(try reader.readBytes(UUIDCodec.binaryLength), into: &dictionary.bytes) }
            }
            let length = packed ? UUIDCodec.binaryLength : UUIDCodec.textLength
            dictionary.ends.reserveCapacity(d)
            for k in 0..<d { dictionary.ends.append(UInt32((k + 1) * length)) }
        case .uuid4:
            guard d * UUID4Codec.packedLength <= reader.remaining else { throw StorageError.corrupt("dictionary exceeds the chunk") }
            if packed {
                try UUID4Codec.unpackBinary(&reader, count: d, appendingTo: &dictionary.bytes)
            } else {
                try UUID4Codec.unpack(&reader, count: d, appendingTo: &dictionary.bytes)
            }
            let length = packed ? UUIDCodec.binaryLength : UUIDCodec.textLength
            dictionary.ends.reserveCapacity(d)
            for k in 0..<d { dictionary.ends.append(UInt32((k + 1) * length)) }
        case .plain:
            guard d <= reader.remaining else { throw StorageError.corrupt("dictionary exceeds the chunk") }
            var total = 0
            for _ in 0..<d {
                total += try reader.readLength(limit: reader.remaining)
                guard total <= reader.remaining else { throw StorageError.corrupt("dictionary exceeds the chunk") }
                dictionary.ends.append(UInt32(total))
            }
            dictionary.bytes.append(contentsOf: try reader.readBytes(total))
        }
        let width = Int(try reader.readByte())
        guard (0...5).contains(width) else { throw StorageError.corrupt("dictionary code layout \(width)") }
        codes.removeAll(keepingCapacity: true)
        codes.reserveCapacity(present)
        var bad = false
        if width == moveToFrontLayout {
            var moveToFront = MoveToFront()
            try moveToFront.codes(&reader, count: present, distinct: d, into: &codes)
        } else if width == varintLayout {
            for _ in 0..<present {
                let c = try reader.readVarint()
                bad = bad || c >= UInt64(d)
                codes.append(UInt32(truncatingIfNeeded: c))
            }
        } else {
            let raw = try reader.readBytes(present * width)
            switch width {
            case 1:
                for i in 0..<present { let c = UInt32(raw[i]); bad = bad || c >= d; codes.append(c) }
            case 2:
                for i in 0..<present {
                    let c = UInt32(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)
                    bad = bad || c >= d
                    codes.append(c)
                }
            default:
                for i in 0..<present {
                    var c: UInt32 = 0
                    for k in 0..<width { c |= UInt32(raw[i * width + k]) << (8 * UInt32(k)) }
                    bad = bad || c >= d
                    codes.append(c)
                }
            }
        }
        if bad { throw StorageError.corrupt("dictionary code out of range (\(d) values)") }
        return packed
    }

    /// Expands codes into a string column: row by row, the dictionary value of its code, or
    /// null where `presence` says so.
    static func materialize(
        dictionary: StringColumn, codes: [UInt32], presence: [Bool]?, rows: Int, into column: inout StringColumn
    ) {
        column.removeAll(keepingCapacity: true)
        column.ends.reserveCapacity(rows)
        var total = 0
        for c in codes { total += dictionary.range(of: Int(c)).count }
        dictionary.bytes.withUnsafeBytes { dict in
            dictionary.ends.withUnsafeBufferPointer { dictEnds in
                column.bytes.appendWriting(maximum: total) { p in
                    var n = 0
                    var next = 0
                    for row in 0..<rows {
                        if presence == nil || presence![row] {
                            let c = Int(codes[next])
                            let start = c == 0 ? 0 : Int(dictEnds[c - 1])
                            let length = Int(dictEnds[c]) - start
                            if length > 0 { (p + n).update(from: dict.baseAddress!.assumingMemoryBound(to: UInt8.self) + start, count: length) }
                            n += length
                            next += 1
                        }
                        column.ends.append(UInt32(n))
                    }
                    return n
                }
            }
        }
        column.presence = presence
    }
}
