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

    public mutating func append(_ value: Int64) {
        values.append(value)
        if presence != nil { presence!.append(true) }
    }

    public mutating func append(_ value: Int64?) {
        guard let value else { return appendNull() }
        append(value)
    }

    public mutating func appendNull() {
        if presence == nil { presence = Array(repeating: true, count: values.count) }
        values.append(0)
        presence!.append(false)
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        values.removeAll(keepingCapacity: keepingCapacity)
        presence = nil
    }
}
