extension MessageParser {
    /// Parses the event object at `c.pos` and keeps it when valid (`keepPending`; the message's
    /// events go to the batch when it has been read whole). A syntax error anywhere throws (the
    /// message is not JSON); a rule broken is the event's verdict, and parsing goes on to the
    /// end of the object so the rest of the batch can still be read.
    mutating func parseEvent(_ c: inout JSONCursor, topLevel: Bool) throws(JSONSyntaxError) -> EventOutcome {
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: .absent) }
        eventPropStart = propKinds.count
        eventError = nil

        c.pos += 1  // '{'
        c.skipWhitespace()
        if c.current == UInt8(ascii: "}") {
            c.pos += 1
        } else {
            while true {
                c.skipWhitespace()
                guard c.current == UInt8(ascii: "\"") else { throw c.unexpected(expected: "a key") }
                let key = try c.scanString()
                try c.expect(UInt8(ascii: ":"), "':'")
                let field: EventField? = key.hasEscapes
                    ? nil
                    : EventField.named(UnsafeRawBufferPointer(start: c.base + key.start, count: key.count))
                if let field {
                    try parseField(field, &c)
                } else if topLevel && !key.hasEscapes && c.equals(key, "events") {
                    return .isBatch
                } else {
                    // Unknown top-level fields are kept as props under their own name.
                    keyPath.removeAll(keepingCapacity: true)
                    c.decode(key, into: &keyPath)
                    try parsePropValue(&c, containerDepth: 1)
                }
                c.skipWhitespace()
                if c.current == UInt8(ascii: ",") {
                    c.pos += 1
                } else if c.current == UInt8(ascii: "}") {
                    c.pos += 1
                    break
                } else {
                    throw c.unexpected(expected: "',' or '}'")
                }
            }
        }
        if eventError == nil { checkRequiredAndRanges() }
        if let eventError {
            dropEventProps()
            return .rejected(field: eventError.field, reason: eventError.reason)
        }
        keepPending()
        return .accepted
    }

    /// Records the event's first broken rule; later ones are not reported.
    mutating func reject(_ field: String, _ reason: String) {
        if eventError == nil { eventError = (field, reason) }
    }

    private mutating func parseField(_ field: EventField, _ c: inout JSONCursor) throws(JSONSyntaxError) {
        c.skipWhitespace()
        guard case .absent = slots[field.rawValue] else {
            reject(field.name, "appears more than once")
            _ = try c.skipValue()
            return
        }
        switch field {
        case .ts:
            try parseTimestamp(&c)
        case .x, .y:
            if c.current == UInt8(ascii: "n") {
                try c.scanLiteral("null")
                slots[field.rawValue] = .null
            } else if let value = try integerValue(&c) {
                slots[field.rawValue] = .integer(value)
            } else {
                reject(field.name, "not an integer")
                slots[field.rawValue] = .null
            }
        case .props:
            if c.current == UInt8(ascii: "{") {
                keyPath.removeAll(keepingCapacity: true)
                try parseMembers(&c, depth: 2, isRoot: true)
            } else if c.current == UInt8(ascii: "n") {
                try c.scanLiteral("null")
            } else {
                _ = try c.skipValue()
                reject("props", "not an object")
            }
            slots[field.rawValue] = .null
        default:
            try parseStringField(field, &c)
        }
    }

    private mutating func parseStringField(_ field: EventField, _ c: inout JSONCursor) throws(JSONSyntaxError) {
        switch c.current {
        case UInt8(ascii: "\""):
            let token = try c.scanString()
            let length: Int
            if token.hasEscapes {
                let start = scratch.count
                c.decode(token, into: &scratch)
                length = scratch.count - start
                slots[field.rawValue] = .scratch(start, scratch.count)
            } else {
                length = token.count
                slots[field.rawValue] = .message(token.start, token.end)
            }
            let allowed = field.lengths
            if length < allowed.lowerBound {
                reject(field.name, "must not be empty")
            } else if length > allowed.upperBound {
                reject(field.name, "longer than \(allowed.upperBound) bytes")
            }
        case UInt8(ascii: "n"):
            try c.scanLiteral("null")
            slots[field.rawValue] = .null
        default:
            _ = try c.skipValue()
            slots[field.rawValue] = .null
            reject(field.name, "not a string")
        }
    }

    private mutating func parseTimestamp(_ c: inout JSONCursor) throws(JSONSyntaxError) {
        let slot = EventField.ts.rawValue
        slots[slot] = .null
        switch c.current {
        case UInt8(ascii: "\""):
            let token = try c.scanString()
            let millis: Int64?
            if token.hasEscapes {
                let start = scratch.count
                c.decode(token, into: &scratch)
                millis = scratch.withUnsafeBytes { RFC3339.milliseconds(UnsafeRawBufferPointer(rebasing: $0[start...])) }
            } else {
                millis = RFC3339.milliseconds(UnsafeRawBufferPointer(start: c.base + token.start, count: token.count))
            }
            if let millis { slots[slot] = .integer(millis) } else { reject("ts", "not a number or RFC 3339 time") }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let value = try integerValue(&c) { slots[slot] = .integer(value) } else { reject("ts", "not an integer number of milliseconds") }
        default:
            _ = try c.skipValue()
            reject("ts", "not a number or RFC 3339 time")
        }
    }

    /// Scans a number and returns it when its value is an integer that fits `Int64`
    /// (`1.7e12` counts; `1.5` does not). Anything else is skipped and gives `nil`.
    private mutating func integerValue(_ c: inout JSONCursor) throws(JSONSyntaxError) -> Int64? {
        guard c.current == UInt8(ascii: "-") || (c.current &- 48) < 10 else {
            _ = try c.skipValue()
            return nil
        }
        let token = try c.scanNumber()
        if let integer = token.integer { return integer }
        let value = c.doubleValue(token)
        // 2^63 is exactly representable; anything at or beyond it does not fit.
        guard value.isFinite, value == value.rounded(), value >= -9.223372036854775808e18, value < 9.223372036854775808e18
        else { return nil }
        return Int64(value)
    }

    private mutating func checkRequiredAndRanges() {
        for field in EventField.required {
            switch slots[field.rawValue] {
            case .absent, .null: return reject(field.name, "required")
            default: continue
            }
        }
        guard case .integer(let ts) = slots[EventField.ts.rawValue] else { return }
        if ts < limits.minTimestampMillis {
            reject("ts", "before 2000-01-01")
        } else if ts > now &+ limits.maxFutureMillis {
            reject("ts", "more than 24 h ahead of the server's clock")
        }
    }
}
