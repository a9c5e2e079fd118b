extension MessageParser {
    /// Parses the members of the object at `c.pos` as properties, flattening nested objects to
    /// dotted keys. `keyPath` holds the prefix (empty at the root of `props`); `depth` is the
    /// nesting depth of this object, the event object being 1.
    mutating func parseMembers(_ c: inout JSONCursor, depth: Int, isRoot: Bool) throws(JSONSyntaxError) {
        c.pos += 1  // '{'
        c.skipWhitespace()
        if c.current == UInt8(ascii: "}") {
            c.pos += 1
            return
        }
        let prefixLength = keyPath.count
        while true {
            c.skipWhitespace()
            guard c.current == UInt8(ascii: "\"") else { throw c.unexpected(expected: "a key") }
            let key = try c.scanString()
            if !isRoot { keyPath.append(UInt8(ascii: ".")) }
            c.decode(key, into: &keyPath)
            try c.expect(UInt8(ascii: ":"), "':'")
            try parsePropValue(&c, containerDepth: depth)
            keyPath.removeLast(keyPath.count - prefixLength)
            c.skipWhitespace()
            if c.current == UInt8(ascii: ",") {
                c.pos += 1
            } else if c.current == UInt8(ascii: "}") {
                c.pos += 1
                return
            } else {
                throw c.unexpected(expected: "',' or '}'")
            }
        }
    }

    /// Parses one property value named by `keyPath`, inside a container at `containerDepth`.
    mutating func parsePropValue(_ c: inout JSONCursor, containerDepth: Int) throws(JSONSyntaxError) {
        c.skipWhitespace()
        switch c.current {
        case UInt8(ascii: "{"):
            if containerDepth + 1 > limits.maxDepth {
                _ = try c.skipValue()
                reject(propName, "nested deeper than \(limits.maxDepth) levels")
            } else {
                try parseMembers(&c, depth: containerDepth + 1, isRoot: false)
            }
        case UInt8(ascii: "["):
            let start = c.pos
            let depth = try c.skipValue()
            if containerDepth + depth > limits.maxDepth {
                reject(propName, "nested deeper than \(limits.maxDepth) levels")
            } else {
                propValueBytes.append(contentsOf: UnsafeRawBufferPointer(start: c.base + start, count: c.pos - start))
                addProp(.array)
            }
        case UInt8(ascii: "\""):
            let token = try c.scanString()
            c.decode(token, into: &propValueBytes)
            addProp(.string)
        case UInt8(ascii: "t"):
            try c.scanLiteral("true")
            addProp(.true)
        case UInt8(ascii: "f"):
            try c.scanLiteral("false")
            addProp(.false)
        case UInt8(ascii: "n"):
            try c.scanLiteral("null")
            addProp(.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let token = try c.scanNumber()
            if token.mayOverflow && !c.doubleValue(token).isFinite {
                reject(propName, "number out of range")
            } else {
                propValueBytes.append(contentsOf: UnsafeRawBufferPointer(start: c.base + token.start, count: token.end - token.start))
                addProp(.number)
            }
        default:
            throw c.unexpected(expected: "a value")
        }
    }

    /// The dotted key being parsed, as a field name for an error: `props.a.b`.
    var propName: String { "props." + String(decoding: keyPath, as: UTF8.self) }

    /// Completes the property whose value was just appended to `propValueBytes`.
    private mutating func addProp(_ kind: PropKind) {
        if propKinds.count - eventPropStart >= limits.maxProps {
            reject("props", "more than \(limits.maxProps) keys")
        } else if isDuplicateKey() {
            reject(propName, "appears more than once")
        }
        // Keep the arrays in step even for a rejected event; it will not be committed.
        propKeyBytes.append(contentsOf: keyPath)
        propKeyEnds.append(propKeyBytes.count)
        propValueEnds.append(propValueBytes.count)
        propKinds.append(kind.rawValue)
    }

    private func isDuplicateKey() -> Bool {
        var start = eventPropStart == 0 ? 0 : propKeyEnds[eventPropStart - 1]
        for end in propKeyEnds[eventPropStart...] {
            if end - start == keyPath.count && propKeyBytes[start..<end].elementsEqual(keyPath) { return true }
            start = end
        }
        return false
    }
}
