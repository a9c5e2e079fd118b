/// A column of optional 64-bit integers; `presence` is `nil` while every row is present.
public struct Int64Column: Sendable, Equatable {
    public var values: [Int64]
    public var presence: [Bool]?

    public init() {
        values = []
        presence = nil
    }

    public var count: Int { values.count }

    @inlinable
    public func isNull(_ row: Int) -> Bool { presence.map { !$0[row] } ?? false }

    public subscript(row: Int) -> Int64? { isNull(row) ? nil : values[row] }

    @inline(__always)
    public mutating func append(_ value: Int64) {
        values.append(value)
        if presence != nil { presence!.append(true) }
    }

    @inline(__always)
    public mutating func append(_ value: Int64?) {
        guard let value else { return appendNull() }
        append(value)
    }

    @inline(__always)
    public mutating func appendNull() {
        if presence == nil { startPresence() }
        values.append(0)
        presence!.append(false)
    }

    mutating func appendNulls(_ count: Int) {
        if presence == nil { startPresence() }
        values.append(contentsOf: repeatElement(0, count: count))
        presence!.append(contentsOf: repeatElement(false, count: count))
    }

    /// The first null: every row so far was present.
    @inline(never)
    private mutating func startPresence() {
        presence = Array(repeating: true, count: values.count)
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        values.removeAll(keepingCapacity: keepingCapacity)
        presence = nil
    }
}
