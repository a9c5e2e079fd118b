import ClicklogEvents

extension EventBatch {
    /// Appends every row of `other`, column by column (bulk copies, not row by row): the
    /// writer merges the batches of several event loops into one block this way. Always
    /// copies, also into an empty batch, whose capacity the caller is keeping for this.
    mutating func append(copying other: EventBatch) {
        guard other.count > 0 else { return }
        let propBase = UInt32(propKinds.count)
        event.append(contentsOf: other.event, rows: count)
        ts.append(contentsOf: other.ts)
        anonymousID.append(contentsOf: other.anonymousID, rows: count)
        id.append(contentsOf: other.id, rows: count)
        userID.append(contentsOf: other.userID, rows: count)
        sessionID.append(contentsOf: other.sessionID, rows: count)
        url.append(contentsOf: other.url, rows: count)
        referrer.append(contentsOf: other.referrer, rows: count)
        title.append(contentsOf: other.title, rows: count)
        selector.append(contentsOf: other.selector, rows: count)
        text.append(contentsOf: other.text, rows: count)
        x.append(contentsOf: other.x)
        y.append(contentsOf: other.y)
        let propRows = propKinds.count
        propKeys.append(contentsOf: other.propKeys, rows: propRows)
        propValues.append(contentsOf: other.propValues, rows: propRows)
        propKinds.append(contentsOf: other.propKinds)
        propEnds.append(offsets: other.propEnds, plus: propBase)
        receivedAt.append(contentsOf: other.receivedAt)
        site.append(contentsOf: other.site, rows: count)
        userAgent.append(contentsOf: other.userAgent, rows: count)
        ip.append(contentsOf: other.ip, rows: count)
        sentAt.append(contentsOf: other.sentAt)
        count += other.count
    }
}

extension StringColumn {
    /// Appends all rows of `other`; `rows` is this column's row count (for the presence map).
    mutating func append(contentsOf other: StringColumn, rows: Int) {
        let base = UInt32(bytes.count)
        bytes.append(contentsOf: other.bytes)
        ends.append(offsets: other.ends, plus: base)
        switch (presence != nil, other.presence) {
        case (false, nil):
            break
        case (true, nil):
            presence!.append(contentsOf: repeatElement(true, count: other.ends.count))
        case (false, let theirs?):
            presence = Array(repeating: true, count: rows) + theirs
        case (true, let theirs?):
            presence!.append(contentsOf: theirs)
        }
    }
}

extension Int64Column {
    mutating func append(contentsOf other: Int64Column) {
        let rows = values.count
        values.append(contentsOf: other.values)
        switch (presence != nil, other.presence) {
        case (false, nil):
            break
        case (true, nil):
            presence!.append(contentsOf: repeatElement(true, count: other.values.count))
        case (false, let theirs?):
            presence = Array(repeating: true, count: rows) + theirs
        case (true, let theirs?):
            presence!.append(contentsOf: theirs)
        }
    }
}
