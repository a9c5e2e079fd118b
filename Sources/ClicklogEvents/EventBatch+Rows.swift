extension EventBatch {
    /// Drops every row at or after `rowCount` (`filterRows` rebuilds the rows after it this way;
    /// the parser no longer needs it: a message's rows reach the batch only once it parsed).
    public mutating func truncate(to rowCount: Int) {
        guard rowCount < count else { return }
        let propCount = rowCount == 0 ? 0 : Int(propEnds[rowCount - 1])
        event.truncate(to: rowCount)
        ts.removeLast(ts.count - rowCount)
        anonymousID.truncate(to: rowCount)
        id.truncate(to: rowCount)
        userID.truncate(to: rowCount)
        sessionID.truncate(to: rowCount)
        url.truncate(to: rowCount)
        referrer.truncate(to: rowCount)
        title.truncate(to: rowCount)
        selector.truncate(to: rowCount)
        text.truncate(to: rowCount)
        x.truncate(to: rowCount)
        y.truncate(to: rowCount)
        propEnds.removeLast(propEnds.count - rowCount)
        propKeys.truncate(to: propCount)
        propKinds.removeLast(propKinds.count - propCount)
        propValues.truncate(to: propCount)
        receivedAt.removeLast(receivedAt.count - rowCount)
        site.truncate(to: rowCount)
        userAgent.truncate(to: rowCount)
        ip.truncate(to: rowCount)
        sentAt.truncate(to: rowCount)
        count = rowCount
    }

    /// Keeps the rows from `start` on for which `keep` is true, in order; rows before `start`
    /// are untouched. Used to drop duplicates found after a message was parsed.
    public mutating func filterRows(from start: Int, keep: (Int) -> Bool) {
        var tail = EventBatch()
        for row in start..<count where keep(row) { tail.appendRow(row, of: self) }
        truncate(to: start)
        for row in 0..<tail.count { appendRow(row, of: tail) }
    }

    /// Appends row `row` of `other`, every column copied as bytes.
    public mutating func appendRow(_ row: Int, of other: EventBatch) {
        event.appendRow(row, of: other.event)
        ts.append(other.ts[row])
        anonymousID.appendRow(row, of: other.anonymousID)
        id.appendRow(row, of: other.id)
        userID.appendRow(row, of: other.userID)
        sessionID.appendRow(row, of: other.sessionID)
        url.appendRow(row, of: other.url)
        referrer.appendRow(row, of: other.referrer)
        title.appendRow(row, of: other.title)
        selector.appendRow(row, of: other.selector)
        text.appendRow(row, of: other.text)
        x.append(other.x[row])
        y.append(other.y[row])
        for p in other.propRange(of: row) {
            propKeys.appendRow(p, of: other.propKeys)
            propKinds.append(other.propKinds[p])
            propValues.appendRow(p, of: other.propValues)
        }
        propEnds.append(UInt32(propKinds.count))
        receivedAt.append(other.receivedAt[row])
        site.appendRow(row, of: other.site)
        userAgent.appendRow(row, of: other.userAgent)
        ip.appendRow(row, of: other.ip)
        sentAt.append(other.sentAt[row])
        count += 1
    }
}

extension StringColumn {
    public mutating func truncate(to rowCount: Int) {
        guard rowCount < count else { return }
        bytes.removeLast(bytes.count - start(of: rowCount))
        ends.removeLast(ends.count - rowCount)
        if let n = presence?.count { presence!.removeLast(n - rowCount) }
    }

    public mutating func appendRow(_ row: Int, of other: StringColumn) {
        if other.isNull(row) { return appendNull() }
        bytes.append(contentsOf: other.bytes[other.range(of: row)])
        ends.append(UInt32(bytes.count))
        if presence != nil { presence!.append(true) }
    }
}

extension Int64Column {
    public mutating func truncate(to rowCount: Int) {
        guard rowCount < count else { return }
        values.removeLast(values.count - rowCount)
        if let n = presence?.count { presence!.removeLast(n - rowCount) }
    }
}
