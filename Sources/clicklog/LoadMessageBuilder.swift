import NIOCore

/// Turns generated event objects into the load generator's messages: each event gets an `id` the
/// generator can make unique on every send, and the events are wrapped in a batch
/// (`{"seq":…,"sent_at":…,"events":[…]}`) or sent bare.
///
/// Ids are UUIDs laid out as `RRRRRRRR-CCCC-4RRR-8RRR-NNNNNNNNNNNN`: 56 random bits for the run,
/// 16 bits for the connection, and a 48-bit counter that `LoadMessage.stamp` rewrites per send.
/// They are valid version-4 UUIDs, so a server that stores UUID-shaped ids compactly does so here
/// too, and two runs against the same data directory never collide.
struct LoadMessageBuilder {
    enum Framing: Sendable {
        /// `{"seq":N,"sent_at":MS,"events":[…]}`.
        case batch
        /// One bare event object per message (no `seq`: the server acks its ordinal).
        case bare
    }

    let framing: Framing
    private let run: (UInt32, UInt16, UInt16)

    init(framing: Framing, runID: UInt64 = .random(in: .min ... .max)) {
        self.framing = framing
        run = (UInt32(truncatingIfNeeded: runID >> 32),
               UInt16(truncatingIfNeeded: runID >> 20) & 0xFFF,
               UInt16(truncatingIfNeeded: runID >> 8) & 0xFFF)
    }

    /// The id of event number `counter` on `connection`, as the server will see it.
    func id(connection: Int, counter: UInt64) -> String {
        String(decoding: idPrefix(connection: connection) + hex(counter, digits: LoadMessage.counterWidth), as: UTF8.self)
    }

    /// `RRRRRRRR-CCCC-4RRR-8RRR-`: everything but the counter.
    func idPrefix(connection: Int) -> [UInt8] {
        hex(UInt64(run.0), digits: 8) + Array("-".utf8)
            + hex(UInt64(connection & 0xFFFF), digits: 4) + Array("-4".utf8)
            + hex(UInt64(run.1), digits: 3) + Array("-8".utf8)
            + hex(UInt64(run.2), digits: 3) + Array("-".utf8)
    }

    /// One message of `events` (each a JSON object) for `connection`. Each event's own top-level
    /// `id` member, if it has one, is replaced by the generator's; everything else is kept as is.
    func message(events: [[UInt8]], connection: Int, allocator: ByteBufferAllocator) throws -> LoadMessage {
        precondition(!events.isEmpty)
        precondition(framing == .batch || events.count == 1)
        let prefix = idPrefix(connection: connection)
        var payload: [UInt8] = []
        payload.reserveCapacity(events.reduce(64) { $0 + $1.count + 48 })
        var seqOffset: Int?
        var sentAtOffset: Int?
        if framing == .batch {
            payload += Array(#"{"seq":"#.utf8)
            seqOffset = payload.count
            payload += [UInt8](repeating: UInt8(ascii: "0"), count: 1)
                + [UInt8](repeating: 0x20, count: LoadMessage.seqWidth - 1)
            payload += Array(#","sent_at":"#.utf8)
            sentAtOffset = payload.count
            payload += [UInt8](repeating: UInt8(ascii: "0"), count: LoadMessage.sentAtWidth)
            payload += Array(#","events":["#.utf8)
        }
        var counterOffsets: [Int] = []
        for (index, event) in events.enumerated() {
            if index > 0 { payload.append(UInt8(ascii: ",")) }
            let members = try Self.membersWithoutID(event)
            payload += Array(#"{"id":""#.utf8) + prefix
            counterOffsets.append(payload.count)
            payload += [UInt8](repeating: UInt8(ascii: "0"), count: LoadMessage.counterWidth)
            payload.append(UInt8(ascii: "\""))
            if !members.isEmpty {
                payload.append(UInt8(ascii: ","))
                payload += members
            }
            payload.append(UInt8(ascii: "}"))
        }
        if framing == .batch { payload += Array("]}".utf8) }
        return LoadMessage(
            payload: payload, seqOffset: seqOffset, sentAtOffset: sentAtOffset,
            counterOffsets: counterOffsets, allocator: allocator
        )
    }

    /// The members of the object `event` (between its braces), without a top-level `id` member.
    static func membersWithoutID(_ event: [UInt8]) throws -> [UInt8] {
        try event.withUnsafeBytes { bytes in
            var scan = LoadJSONScanner(bytes: bytes)
            scan.skipSpace()
            guard scan.take(UInt8(ascii: "{")) else { throw LoadError.generatedEventNotAnObject }
            var kept: [UInt8] = []
            kept.reserveCapacity(bytes.count)
            scan.skipSpace()
            if scan.take(UInt8(ascii: "}")) { return kept }
            while true {
                scan.skipSpace()
                let start = scan.i
                guard let key = scan.stringContents() else { throw LoadError.generatedEventNotAnObject }
                let isID = key.elementsEqual("id".utf8)
                scan.skipSpace()
                guard scan.take(UInt8(ascii: ":")) else { throw LoadError.generatedEventNotAnObject }
                scan.skipSpace()
                guard scan.skipValue() else { throw LoadError.generatedEventNotAnObject }
                if !isID {
                    if !kept.isEmpty { kept.append(UInt8(ascii: ",")) }
                    kept += UnsafeRawBufferPointer(rebasing: bytes[start..<scan.i])
                }
                scan.skipSpace()
                if scan.take(UInt8(ascii: ",")) { continue }
                guard scan.take(UInt8(ascii: "}")) else { throw LoadError.generatedEventNotAnObject }
                return kept
            }
        }
    }

    private func hex(_ value: UInt64, digits: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digits)
        var rest = value
        for index in stride(from: digits - 1, through: 0, by: -1) {
            let nibble = UInt8(truncatingIfNeeded: rest & 0xF)
            out[index] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
            rest >>= 4
        }
        return out
    }
}
