import CZstd

/// A reusable zstd compression context: one per `BlockEncoder`, so compressing a chunk
/// allocates nothing once the context has warmed up.
///
/// Frames are written without the content-size, checksum and dictionary-id fields: the chunk
/// directory already stores the encoded length and a CRC32C, so those would be redundant bytes
/// in every chunk.
final class ZstdCompressor {
    private let context: OpaquePointer
    let level: Int32

    init(level: Int32) {
        context = ZSTD_createCCtx()!
        self.level = level
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 0)
        ZSTD_CCtx_setParameter(context, ZSTD_c_dictIDFlag, 0)
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Appends the compressed form of `source` to `out`; returns the number of bytes appended.
    func compress(_ source: UnsafeRawBufferPointer, appendingTo out: inout [UInt8]) throws -> Int {
        let bound = ZSTD_compressBound(source.count)
        let start = out.count
        out.appendZeros(bound)
        let written = out.withUnsafeMutableBytes { o in
            ZSTD_compress2(context, o.baseAddress! + start, bound, source.baseAddress, source.count)
        }
        if ZSTD_isError(written) != 0 {
            out.removeLast(bound)
            throw StorageError.invalidBatch("zstd compression failed: \(String(cString: ZSTD_getErrorName(written)))")
        }
        out.removeLast(bound - written)
        return written
    }
}

/// A reusable zstd decompression context. Not thread-safe: each reading thread uses its own
/// (through its own `BlockDecoder`).
final class ZstdDecompressor {
    private let context: OpaquePointer

    deinit { ZSTD_freeDCtx(context) }

    /// Output sizes up to this are decompressed in one call into a buffer of the expected size.
    /// Larger ones grow the buffer as output actually appears, so a damaged length field cannot
    /// make a reader allocate a gigabyte for a few compressed bytes.
    let singleShotLimit: Int

    init(singleShotLimit: Int = 16 << 20) {
        context = ZSTD_createDCtx()!
        self.singleShotLimit = singleShotLimit
    }

    /// Replaces `out` with the decompressed `source`, which must be exactly `expected` bytes.
    func decompress(_ source: UnsafeRawBufferPointer, expected: Int, into out: inout [UInt8]) throws {
        out.removeAll(keepingCapacity: true)
        if expected <= singleShotLimit {
            out.appendZeros(expected)
            let written = out.withUnsafeMutableBytes { o in
                ZSTD_decompressDCtx(context, o.baseAddress, expected, source.baseAddress, source.count)
            }
            if ZSTD_isError(written) != 0 {
                throw StorageError.corrupt("zstd: \(String(cString: ZSTD_getErrorName(written)))")
            }
            guard written == expected else {
                throw StorageError.corrupt("chunk decompressed to \(written) bytes, directory says \(expected)")
            }
            return
        }
        ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
        var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
        var produced = 0
        while true {
            // One byte of room past `expected`, so a frame that decodes to more shows itself.
            let capacity = min(expected + 1, max(singleShotLimit, produced * 2))
            if out.count < capacity { out.appendZeros(capacity - out.count) }
            let (remaining, position) = out.withUnsafeMutableBytes { o in
                var output = ZSTD_outBuffer(dst: o.baseAddress, size: capacity, pos: produced)
                let r = ZSTD_decompressStream(context, &output, &input)
                return (r, output.pos)
            }
            if ZSTD_isError(remaining) != 0 {
                throw StorageError.corrupt("zstd: \(String(cString: ZSTD_getErrorName(remaining)))")
            }
            let progressed = position > produced
            produced = position
            if remaining == 0 { break }
            if produced > expected || (!progressed && input.pos == input.size) {
                throw StorageError.corrupt("chunk does not decompress to the \(expected) bytes the directory says")
            }
        }
        guard produced == expected else {
            throw StorageError.corrupt("chunk decompressed to \(produced) bytes, directory says \(expected)")
        }
        out.removeLast(out.count - produced)
    }
}
