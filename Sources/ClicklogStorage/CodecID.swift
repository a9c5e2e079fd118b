/// The registry of value codecs: the byte in a chunk directory entry that says how the chunk's
/// values are laid out (docs/format.md, "Codecs"). Never renumber a case; add new ones at the end.
///
/// Every chunk starts with a presence section (`NullBitmap`), then the values of the present
/// rows in the codec's layout.
public enum CodecID: UInt8, Sendable, CaseIterable {
    /// Unsigned LEB128 varint per value (`VarintCodec`): prop counts.
    case varint = 1
    /// Zigzag varint per value (`ZigZagVarintCodec`): x, y.
    case zigzagVarint = 2
    /// Zigzag varint of the first value, then of each difference (`DeltaZigZagCodec`): ts, received_at, sent_at.
    case deltaZigZag = 3
    /// One byte per value (`ByteCodec`): prop kinds.
    case bytes = 4
    /// Varint lengths, then the concatenated bytes (`PlainStringCodec`).
    case plainString = 5
    /// Distinct values plain, then one fixed-width code per row (`DictionaryStringCodec`).
    case dictionaryString = 6
    /// 16 bytes per canonical lowercase UUID string (`UUIDCodec`).
    case uuid = 7
    /// Distinct values as 16-byte UUIDs, then one code per row (`DictionaryStringCodec`).
    case dictionaryUUID = 8
    /// 122 bits per canonical version-4 UUID string (`UUID4Codec`): event ids.
    case uuid4 = 9
    /// Distinct values as packed version-4 UUIDs, then one code per row (`DictionaryStringCodec`):
    /// anonymous and session ids.
    case dictionaryUUID4 = 10

    public var name: String {
        switch self {
        case .varint: "varint"
        case .zigzagVarint: "zigzag-varint"
        case .deltaZigZag: "delta-zigzag"
        case .bytes: "bytes"
        case .plainString: "plain"
        case .dictionaryString: "dictionary"
        case .uuid: "uuid"
        case .dictionaryUUID: "dictionary-uuid"
        case .uuid4: "uuid4"
        case .dictionaryUUID4: "dictionary-uuid4"
        }
    }
}
