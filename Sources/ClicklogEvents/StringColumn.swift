/// A column of optional byte strings stored back to back: one growing byte array and one end
/// offset per row, so appending a value never allocates per row.
///
/// Strings are kept as UTF-8 bytes, not `String`, because the parser, the codecs and the query
/// engine all work on bytes; `string(at:)` exists for tests, output and other cold paths.
public struct StringColumn: Sendable, Equatable {
    /// The concatenated bytes of every non-null value.
    public var bytes: [UInt8]
    /// `ends[i]` is the offset in `bytes` just past row `i`; a null row has an empty range.
    public var ends: [UInt32]
    /// `nil` while every row is present, which is the common case for required fields.
    public var presence: [Bool]?

    public init() {
        bytes = []
        ends = []
        presence = nil
    }

    public init(reservingRows rows: Int, bytes byteCapacity: Int) {
        self.init()
        ends.reserveCapacity(rows)
        bytes.reserveCapacity(byteCapacity)
    }

    public var count: Int { ends.count }

    @inlinable
    public func start(of row: Int) -> Int { row == 0 ? 0 : Int(ends[row - 1]) }

    @inlinable
    public func isNull(_ row: Int) -> Bool { presence.map { !$0[row] } ?? false }

    @inlinable
    public func range(of row: Int) -> Range<Int> { start(of: row)..<Int(ends[row]) }

    /// Inlined, as are `appendNull` and `Int64Column`'s appends: the parser appends to some
    /// twenty columns per event, and the calls were a tenth of its time.
    @inline(__always)
    public mutating func append(_ value: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: value)
        ends.append(UInt32(bytes.count))
        if presence != nil { presence!.append(true) }
    }

    public mutating func append<C: Collection>(contentsOf value: C) where C.Element == UInt8 {
        bytes.append(contentsOf: value)
        ends.append(UInt32(bytes.count))
        if presence != nil { presence!.append(true) }
    }

    public mutating func append(_ value: String?) {
        guard let value else { return appendNull() }
        append(contentsOf: value.utf8)
    }

    @inline(__always)
    public mutating func appendNull() {
        if presence == nil { startPresence() }
        ends.append(UInt32(bytes.count))
        presence!.append(false)
    }

    /// Makes `presence` explicit (every row so far present) before rows that may be null.
    mutating func ensurePresence() {
        if presence == nil { startPresence() }
    }

    /// The first null: every row so far was present.
    @inline(never)
    private mutating func startPresence() {
        presence = Array(repeating: true, count: ends.count)
    }

    /// Calls `body` with the bytes of `row` (empty for a null row) without copying them.
    @inlinable
    public func withBytes<R>(at row: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let range = self.range(of: row)
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    public func string(at row: Int) -> String? {
        if isNull(row) { return nil }
        return String(decoding: bytes[range(of: row)], as: UTF8.self)
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        ends.removeAll(keepingCapacity: keepingCapacity)
        presence = nil
    }
}
