/// The data directory's quarantine: rejected events and malformed messages, kept raw with the
/// reason and the time, so nothing a client sent is lost (docs/format.md, "Quarantine file").
///
///     let quarantine = try Quarantine(directory: "data")
///     try quarantine.append(rawMessageBytes, reason: "events[3].ts: not a number or RFC 3339 time")
///     try quarantine.sync()                      // durable, like LogWriter.commit
///
/// One record per append: magic, length, time, reason, raw bytes, CRC32C. Opening cuts off a
/// torn last record, as the log's recovery does. Single writer: open it in the process that
/// holds the `LogWriter` (the data directory's lock). Not thread-safe.
public final class Quarantine {
    public let path: String
    /// What opening found: a torn tail cut off, damaged records in the middle.
    public let problems: [StorageProblem]
    private let directory: String
    private let file: PosixFile
    private var size: Int
    private var buffer: [UInt8] = []
    private var dirty = false
    private var needsDirectorySync: Bool

    /// Opens (creating when missing) `directory`'s quarantine file.
    public init(directory: String) throws {
        try makeDirectory(directory)
        self.directory = directory
        path = DataLayout(directory: directory).quarantine
        let existed = fileExists(path)
        file = try PosixFile(path: path, mode: .createReadWrite)
        needsDirectorySync = !existed
        let scan = try QuarantineReader.scan(file)
        var problems = scan.problems
        if let tail = scan.tail {
            try file.truncate(to: tail.offset)
            try file.sync()
            problems.append(StorageProblem(
                file: path, offset: tail.offset, length: tail.length, reason: "cut off: \(tail.reason)"))
        }
        self.problems = problems
        size = try file.size()
    }

    /// Appends one record; durable after `sync()`. `time` is epoch microseconds.
    public func append(_ raw: UnsafeRawBufferPointer, reason: String, time: Int64? = nil) throws {
        let reasonBytes = Array(reason.utf8)
        let length = Format.quarantineHeaderSize + reasonBytes.count + raw.count + 4
        guard length <= Int(UInt32.max) else { throw StorageError.invalidBatch("quarantine record of \(length) bytes") }
        buffer.removeAll(keepingCapacity: true)
        buffer.appendLittleEndian(Format.quarantineMagic)
        buffer.appendLittleEndian(UInt32(length))
        buffer.appendLittleEndian(time ?? nowMicros())
        buffer.appendLittleEndian(UInt32(reasonBytes.count))
        buffer.appendLittleEndian(UInt32(raw.count))
        buffer.append(contentsOf: reasonBytes)
        buffer.append(contentsOf: raw)
        buffer.appendLittleEndian(CRC32C.checksum(buffer))
        do {
            try buffer.withUnsafeBytes { try file.write($0, at: size) }
        } catch {
            try? file.truncate(to: size)
            throw error
        }
        size += length
        dirty = true
    }

    public func append(_ raw: [UInt8], reason: String, time: Int64? = nil) throws {
        try raw.withUnsafeBytes { try append($0, reason: reason, time: time) }
    }

    /// Makes every appended record durable (fsync; the directory too when the file is new).
    public func sync() throws {
        if dirty {
            try file.sync()
            dirty = false
        }
        if needsDirectorySync {
            try syncDirectory(directory)
            needsDirectorySync = false
        }
    }
}

/// One quarantined message or event.
public struct QuarantineRecord: Sendable, Equatable {
    /// Where the record starts in the quarantine file.
    public var offset: Int
    /// When it was quarantined, epoch microseconds.
    public var time: Int64
    public var reason: String
    /// The bytes as received.
    public var raw: [UInt8]
}

/// Reads a quarantine file, for tests, `verify` and the command that lists it.
public enum QuarantineReader {
    /// Every intact record of `directory`'s quarantine, with the damage found (damaged records
    /// are skipped). A missing file reads as empty.
    public static func read(directory: String) throws -> (records: [QuarantineRecord], problems: [StorageProblem]) {
        let path = DataLayout(directory: directory).quarantine
        guard fileExists(path) else { return ([], []) }
        let scan = try scan(PosixFile(path: path, mode: .readOnly))
        return (scan.records, scan.problems + (scan.tail.map { [$0] } ?? []))
    }

    struct Scan {
        var records: [QuarantineRecord] = []
        var problems: [StorageProblem] = []
        var tail: StorageProblem?
    }

    static func scan(_ file: PosixFile) throws -> Scan {
        var bytes: [UInt8] = []
        try file.readExactly(try file.size(), at: 0, appendingTo: &bytes)
        var result = Scan()
        bytes.withUnsafeBytes { all in
            var position = 0
            var damageStart: Int?
            var damageReason = ""
            while position < all.count {
                switch record(in: all, at: position) {
                case .success(let record):
                    if let start = damageStart {
                        result.problems.append(StorageProblem(file: file.path, offset: start, length: position - start, reason: damageReason))
                        damageStart = nil
                    }
                    position += record.length
                    result.records.append(record.record)
                case .failure(let reason):
                    if damageStart == nil {
                        damageStart = position
                        damageReason = reason.summary
                    }
                    position += 1
                }
            }
            if let start = damageStart {
                result.tail = StorageProblem(file: file.path, offset: start, length: all.count - start, reason: damageReason)
            }
        }
        return result
    }

    private static func record(in all: UnsafeRawBufferPointer, at position: Int) -> Result<(record: QuarantineRecord, length: Int), StorageError> {
        let available = all.count - position
        guard available >= Format.quarantineHeaderSize else { return .failure(.corrupt("incomplete quarantine record")) }
        var r = ByteReader(all, position: position)
        do {
            guard try r.readUInt32() == Format.quarantineMagic else { throw StorageError.corrupt("no quarantine record magic") }
            let length = Int(try r.readUInt32())
            let time = try r.readInt64()
            let reasonLength = Int(try r.readUInt32())
            let rawLength = Int(try r.readUInt32())
            guard length == Format.quarantineHeaderSize + reasonLength + rawLength + 4 else {
                throw StorageError.corrupt("quarantine record lengths disagree")
            }
            guard length <= available else { throw StorageError.corrupt("incomplete quarantine record") }
            let body = UnsafeRawBufferPointer(rebasing: all[position..<(position + length - 4)])
            let crc = all.loadUnaligned(fromByteOffset: position + length - 4, as: UInt32.self).littleEndian
            guard CRC32C.checksum(body) == crc else { throw StorageError.corrupt("quarantine record checksum mismatch") }
            let reason = String(decoding: try r.readBytes(reasonLength), as: UTF8.self)
            let raw = Array(try r.readBytes(rawLength))
            return .success((QuarantineRecord(offset: position, time: time, reason: reason, raw: raw), length))
        } catch let error as StorageError {
            return .failure(error)
        } catch {
            return .failure(.corrupt("\(error)"))
        }
    }
}
