import CZlib

/// What a permessage-deflate client sends for `bytes` (RFC 7692 §7.2.1): raw DEFLATE, flushed
/// to a byte boundary, without the trailing empty block `00 00 FF FF`.
func deflateMessage(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
    var stream = z_stream()
    precondition(clicklog_deflate_init_raw(&stream, level) == Z_OK)
    defer { deflateEnd(&stream) }
    var input = bytes
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 16)
    let written = input.withUnsafeMutableBufferPointer { input in
        out.withUnsafeMutableBufferPointer { output in
            stream.next_in = input.baseAddress
            stream.avail_in = UInt32(input.count)
            stream.next_out = output.baseAddress
            stream.avail_out = UInt32(output.count)
            precondition(deflate(&stream, Z_SYNC_FLUSH) == Z_OK)
            return output.count - Int(stream.avail_out)
        }
    }
    precondition(Array(out[(written - 4)..<written]) == [0x00, 0x00, 0xFF, 0xFF])
    return Array(out[..<(written - 4)])
}
