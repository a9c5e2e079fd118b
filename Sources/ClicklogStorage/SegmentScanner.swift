import ClicklogEvents

/// Walks the blocks of a segment file from some offset, checking every checksum, without
/// trusting the catalog. Recovery, catalog rebuild and `verify` are built on it.
///
/// After damage it resynchronises: when the damaged block's header checksum holds, its length
/// is trusted and the scan goes on after it; otherwise the scan searches forward for the next
/// block magic that starts a fully valid block. Damage that no valid block follows is the
/// file's *tail* (a torn write after a crash, or an unfinished append); damage before a valid
/// block is a corrupt block in the middle.
struct SegmentScanner {
    struct Found {
        var offset: Int
        var header: BlockHeader
        var sites: [String]
    }

    struct Result {
        var blocks: [Found] = []
        /// Damaged ranges followed by a valid block.
        var damaged: [StorageProblem] = []
        /// Damage that runs to the end of the scanned range, if any.
        var tail: StorageProblem?
        /// Where the last valid block ends (or where the scan started).
        var validEnd: Int
    }

    let file: PosixFile
    private let decoder = BlockDecoder()
    private var buffer: [UInt8] = []

    init(file: PosixFile) { self.file = file }

    /// Scans `[start, end)`; `end` defaults to the file size.
    mutating func scan(from start: Int, to end: Int? = nil) throws -> Result {
        let end = try end ?? file.size()
        var result = Result(validEnd: start)
        var position = start
        while position < end {
            switch try check(at: position, end: end) {
            case .valid(let found):
                result.blocks.append(found)
                position += found.header.length
                result.validEnd = position
            case .damaged(let length, let reason):
                // The header checksum held, so the length is right: look for the next block after it.
                position = try skipDamage(at: position, resumingAt: position + length, end: end, reason: reason, into: &result)
            case .lost(let reason):
                position = try skipDamage(at: position, resumingAt: position + 1, end: end, reason: reason, into: &result)
            }
        }
        return result
    }

    /// Records the damage starting at `position` and returns where scanning goes on: the next
    /// valid block at or after `resume`, or `end` when none follows (the damage is the tail).
    private mutating func skipDamage(at position: Int, resumingAt resume: Int, end: Int, reason: String, into result: inout Result) throws -> Int {
        if let next = try resync(from: resume, end: end) {
            result.damaged.append(StorageProblem(file: file.path, offset: position, length: next - position, reason: reason))
            return next
        }
        result.tail = StorageProblem(file: file.path, offset: position, length: end - position, reason: reason)
        return end
    }

    private enum Check {
        case valid(Found)
        /// Header and directory are intact (so `length` is trustworthy) but a chunk is not.
        case damaged(length: Int, reason: String)
        /// Nothing trustworthy at this offset.
        case lost(reason: String)
    }

    /// Reads and checks the block starting at `position`.
    private mutating func check(at position: Int, end: Int) throws -> Check {
        let available = end - position
        guard available >= Format.blockHeaderSize else {
            return .lost(reason: "incomplete block: \(available) bytes where a header needs \(Format.blockHeaderSize)")
        }
        buffer.removeAll(keepingCapacity: true)
        try file.readExactly(Format.blockHeaderSize, at: position, appendingTo: &buffer)
        let header: BlockHeader
        do {
            header = try buffer.withUnsafeBytes { try BlockHeader.parse($0) }
        } catch let error as StorageError {
            return .lost(reason: error.summary)
        }
        guard header.length <= available else {
            return .lost(reason: "incomplete block: header says \(header.length) bytes, \(available) remain")
        }
        try file.readExactly(header.length - Format.blockHeaderSize, at: position + Format.blockHeaderSize, appendingTo: &buffer)
        do {
            _ = try buffer.withUnsafeBytes { try header.parseDirectory($0) }
        } catch let error as StorageError {
            return .lost(reason: error.summary)
        }
        let sites: DictionaryStrings
        do {
            sites = try buffer.withUnsafeBytes { bytes in
                try decoder.verify(bytes)
                return try decoder.dictionaryStrings(bytes, column: .site)
            }
        } catch let error as StorageError {
            return .damaged(length: header.length, reason: error.summary)
        }
        var names: [String] = []
        for i in 0..<sites.dictionary.count where !sites.dictionary.isNull(i) {
            names.append(sites.dictionary.string(at: i) ?? "")
        }
        return .valid(Found(offset: position, header: header, sites: names))
    }

    /// The offset of the next fully valid block at or after `start`, if any.
    private mutating func resync(from start: Int, end: Int) throws -> Int? {
        let window = 1 << 20
        var chunk: [UInt8] = []
        var base = start
        while base + Format.blockHeaderSize <= end {
            chunk.removeAll(keepingCapacity: true)
            let count = min(window, end - base)
            try file.readExactly(count, at: base, appendingTo: &chunk)
            var candidates: [Int] = []
            chunk.withUnsafeBytes { bytes in
                var i = 0
                while i + 4 <= bytes.count {
                    if bytes[i] == 0x43, bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian == Format.blockMagic {
                        candidates.append(base + i)
                    }
                    i += 1
                }
            }
            for candidate in candidates {
                if case .valid = try check(at: candidate, end: end) { return candidate }
            }
            if count < window { break }
            base += count - 3
        }
        return nil
    }
}

extension BlockDecoder {
    /// The site column of an in-memory block as dictionary and codes.
    func dictionaryStrings(_ bytes: UnsafeRawBufferPointer, column: Column) throws -> DictionaryStrings {
        let (header, entries) = try Self.layout(bytes)
        return try dictionaryStrings(header: header, entries: entries, column: column) { entry, stored in
            stored.removeAll(keepingCapacity: true)
            stored.append(contentsOf: bytes[entry.offset..<(entry.offset + entry.storedLength)])
        }
    }
}
