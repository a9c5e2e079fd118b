import CZlib
import NIOCore
import NIOPosix

/// Inflates permessage-deflate messages (RFC 7692 §7.2.2): raw DEFLATE data whose trailing
/// empty block (`00 00 FF FF`) the sender removed.
///
/// The server asks every client for `client_no_context_takeover` (`PerMessageDeflate`), so a
/// message never refers to the one before it: one zlib stream per event-loop thread, reset per
/// message, serves all its connections. Per connection, zlib's 32 KiB window and its state
/// would be some 45 KB for each of thousands of mostly idle browsers.
///
/// Output is bounded: inflating stops one byte past the limit, so a small message that would
/// inflate to gigabytes costs no more than a message at the limit.
final class MessageInflater {
    enum Failure: Error, Equatable {
        /// The inflated message would exceed the limit.
        case tooLarge
        /// Not valid DEFLATE data; zlib's reason.
        case corrupt(String)
    }

    private var stream = z_stream()

    init() {
        let status = clicklog_inflate_init_raw(&stream)
        // Only fails without memory, where the server cannot go on anyway.
        precondition(status == Z_OK, "inflateInit2 failed (\(status))")
    }

    deinit { inflateEnd(&stream) }

    /// The inflater of the calling thread (an event loop's), created on first use.
    static func forCurrentThread() -> MessageInflater {
        if let inflater = perThread.currentValue { return inflater }
        let inflater = MessageInflater()
        perThread.currentValue = inflater
        return inflater
    }

    // The key is thread-safe; each value is only ever touched by the thread that stored it.
    nonisolated(unsafe) private static let perThread = ThreadSpecificVariable<MessageInflater>()

    /// Inflates the whole message `compressed` into `out` (appended), at most `limit` bytes.
    func inflate(_ compressed: ByteBuffer, into out: inout ByteBuffer, limit: Int) -> Failure? {
        inflateReset(&stream)
        let start = out.writerIndex
        let body: Failure? = compressed.withUnsafeReadableBytes { run($0, into: &out, produced: start, limit: limit) }
        if let body { return body }
        return withUnsafeBytes(of: Self.emptyBlock) { run($0, into: &out, produced: start, limit: limit) }
    }

    /// The empty stored block the sender dropped from the end of the message.
    private static let emptyBlock: (UInt8, UInt8, UInt8, UInt8) = (0x00, 0x00, 0xFF, 0xFF)

    private func run(_ input: UnsafeRawBufferPointer, into out: inout ByteBuffer, produced start: Int, limit: Int) -> Failure? {
        guard let base = input.baseAddress, !input.isEmpty else { return nil }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = UInt32(input.count)
        defer {
            stream.next_in = nil
            stream.avail_in = 0
        }
        while true {
            let room = limit + 1 - (out.writerIndex - start)
            guard room > 0 else { return .tooLarge }
            var status: Int32 = Z_OK
            let pending = stream.avail_in
            let before = out.writerIndex
            out.writeWithUnsafeMutableBytes(minimumWritableBytes: min(room, 16_384)) { buffer in
                let offered = min(buffer.count, room)
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = UInt32(offered)
                status = CZlib.inflate(&stream, Z_SYNC_FLUSH)
                return offered - Int(stream.avail_out)
            }
            if out.writerIndex - start > limit { return .tooLarge }
            switch status {
            case Z_STREAM_END:
                // A sender may end the stream with a final block; nothing after it counts.
                return nil
            case Z_OK, Z_BUF_ERROR:
                // Done with this input once it is consumed and the output had room to spare.
                if stream.avail_in == 0 && stream.avail_out > 0 { return nil }
                if status == Z_BUF_ERROR && stream.avail_in == pending && out.writerIndex == before {
                    return .corrupt("no progress")
                }
            default:
                return .corrupt(stream.msg.map { String(cString: $0) } ?? "zlib error \(status)")
            }
        }
    }
}
