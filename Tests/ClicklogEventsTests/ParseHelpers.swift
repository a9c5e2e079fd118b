import ClicklogEvents

/// 2026-01-15T00:00:00Z, the server clock of these tests.
let testNow: Int64 = 1_768_435_200_000
let testEnrichment = Enrichment(receivedAt: 1_768_435_200_000_000, site: "demo", userAgent: "test-agent", ip: "127.0.0.0")

/// Remembers every id it admits: deduplication within and across messages.
struct SetFilter: DuplicateFilter {
    var seen: Set<[UInt8]> = []
    mutating func admit(id: UnsafeRawBufferPointer) -> Bool { seen.insert(Array(id)).inserted }
}

struct Parsed {
    var summary: MessageSummary
    var events: [Event]
}

func parse(_ json: String, limits: EventLimits = EventLimits()) throws(MessageError) -> Parsed {
    try parse(Array(json.utf8), limits: limits)
}

func parse(_ bytes: [UInt8], limits: EventLimits = EventLimits()) throws(MessageError) -> Parsed {
    var parser = MessageParser(limits: limits)
    var batch = EventBatch()
    var filter = AdmitAll()
    let summary = try parser.parse(bytes, now: testNow, enrichment: testEnrichment, into: &batch, filter: &filter)
    return Parsed(summary: summary, events: batch.events)
}

func rejection(_ json: String) throws -> String? {
    try parse(json).summary.rejections.first?.description
}

/// A minimal valid event with `extra` members spliced in.
func event(_ extra: String = "") -> String {
    #"{"event":"click","ts":1768000000000,"anonymous_id":"a1""# + (extra.isEmpty ? "" : "," + extra) + "}"
}
