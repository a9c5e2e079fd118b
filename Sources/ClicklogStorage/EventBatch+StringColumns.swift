import ClicklogEvents

extension EventBatch {
    /// The string column for `column`; traps for integer columns and props (an internal misuse).
    subscript(strings column: Column) -> StringColumn {
        get {
            switch column {
            case .event: event
            case .anonymousID: anonymousID
            case .id: id
            case .userID: userID
            case .sessionID: sessionID
            case .url: url
            case .referrer: referrer
            case .title: title
            case .selector: selector
            case .text: text
            case .site: site
            case .userAgent: userAgent
            case .ip: ip
            default: preconditionFailure("\(column.name) is not a string column")
            }
        }
        set {
            switch column {
            case .event: event = newValue
            case .anonymousID: anonymousID = newValue
            case .id: id = newValue
            case .userID: userID = newValue
            case .sessionID: sessionID = newValue
            case .url: url = newValue
            case .referrer: referrer = newValue
            case .title: title = newValue
            case .selector: selector = newValue
            case .text: text = newValue
            case .site: site = newValue
            case .userAgent: userAgent = newValue
            case .ip: ip = newValue
            default: preconditionFailure("\(column.name) is not a string column")
            }
        }
    }
}
