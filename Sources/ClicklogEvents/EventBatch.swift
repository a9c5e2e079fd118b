/// Events in columnar form: one array per field, appended row by row by the parser and encoded
/// column by column by the storage writer.
///
/// The same type carries a decoded block back to readers; there, columns that were not asked
/// for stay empty (see `ColumnSet`). Props are stored as three parallel columns (key, kind,
/// value) with `propEnds[row]` giving the end of a row's run of properties.
public struct EventBatch: Sendable, Equatable {
    public var count: Int

    public var event = StringColumn()
    /// Client time, epoch milliseconds.
    public var ts: [Int64] = []
    public var anonymousID = StringColumn()
    public var id = StringColumn()
    public var userID = StringColumn()
    public var sessionID = StringColumn()
    public var url = StringColumn()
    public var referrer = StringColumn()
    public var title = StringColumn()
    public var selector = StringColumn()
    public var text = StringColumn()
    public var x = Int64Column()
    public var y = Int64Column()

    /// `propEnds[row]` is the index just past the row's last property in the three prop columns.
    public var propEnds: [UInt32] = []
    public var propKeys = StringColumn()
    public var propKinds: [UInt8] = []
    public var propValues = StringColumn()

    /// Server time the message was received, epoch microseconds.
    public var receivedAt: [Int64] = []
    public var site = StringColumn()
    public var userAgent = StringColumn()
    /// The client address after anonymisation; null with `--ip-mode none`.
    public var ip = StringColumn()
    /// The batch's `sent_at`, epoch milliseconds, when the client sent one.
    public var sentAt = Int64Column()

    public init() { count = 0 }

    public func propRange(of row: Int) -> Range<Int> {
        (row == 0 ? 0 : Int(propEnds[row - 1]))..<Int(propEnds[row])
    }

    /// Empties every column, keeping their capacity by default so a reused batch does not
    /// allocate again.
    public mutating func removeAll(keepingCapacity: Bool = true) {
        count = 0
        event.removeAll(keepingCapacity: keepingCapacity)
        ts.removeAll(keepingCapacity: keepingCapacity)
        anonymousID.removeAll(keepingCapacity: keepingCapacity)
        id.removeAll(keepingCapacity: keepingCapacity)
        userID.removeAll(keepingCapacity: keepingCapacity)
        sessionID.removeAll(keepingCapacity: keepingCapacity)
        url.removeAll(keepingCapacity: keepingCapacity)
        referrer.removeAll(keepingCapacity: keepingCapacity)
        title.removeAll(keepingCapacity: keepingCapacity)
        selector.removeAll(keepingCapacity: keepingCapacity)
        text.removeAll(keepingCapacity: keepingCapacity)
        x.removeAll(keepingCapacity: keepingCapacity)
        y.removeAll(keepingCapacity: keepingCapacity)
        propEnds.removeAll(keepingCapacity: keepingCapacity)
        propKeys.removeAll(keepingCapacity: keepingCapacity)
        propKinds.removeAll(keepingCapacity: keepingCapacity)
        propValues.removeAll(keepingCapacity: keepingCapacity)
        receivedAt.removeAll(keepingCapacity: keepingCapacity)
        site.removeAll(keepingCapacity: keepingCapacity)
        userAgent.removeAll(keepingCapacity: keepingCapacity)
        ip.removeAll(keepingCapacity: keepingCapacity)
        sentAt.removeAll(keepingCapacity: keepingCapacity)
    }
}
