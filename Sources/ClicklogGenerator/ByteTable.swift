/// Many short byte strings in one flat array, appended to output buffers by index.
///
/// The catalog keeps every URL, title, selector and name here, JSON-escaped once at start-up,
/// so writing an event copies bytes instead of building `String`s.
struct ByteTable: Sendable {
    private var bytes: [UInt8] = []
    /// End offset of each entry in `bytes`; entry i starts where entry i − 1 ends.
    private var ends: [Int] = []

    var count: Int { ends.count }

    /// Adds the JSON-escaped UTF-8 of `text` and returns its index.
    @discardableResult
    mutating func add(_ text: String) -> Int {
        bytes.appendJSONEscaped(text.utf8)
        ends.append(bytes.count)
        return ends.count - 1
    }

    /// The length of the longest entry, for sizing output.
    var longestEntry: Int {
        zip(ends, [0] + ends.dropLast()).map { $0 - $1 }.max() ?? 0
    }

    /// Writes entry `index`.
    @inline(__always)
    func write(_ index: Int, to writer: inout ByteWriter) {
        let start = index == 0 ? 0 : ends[index - 1]
        let end = ends[index]
        bytes.withUnsafeBufferPointer { all in
            writer.bytes(UnsafeBufferPointer(rebasing: all[start..<end]))
        }
    }

    /// The stored (escaped) bytes of entry `index`, for tests and cold paths.
    func bytes(at index: Int) -> ArraySlice<UInt8> {
        bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }
}
