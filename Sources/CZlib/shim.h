#include <zlib.h>

/// `inflateInit2` is a macro (it passes the library's version and the stream's size), which
/// Swift cannot call: a function around it.
static inline int clicklog_inflate_init_raw(z_streamp stream) {
    return inflateInit2(stream, -15);
}

/// The same for `deflateInit2` (raw DEFLATE, 32 KiB window), for tests that play the client.
static inline int clicklog_deflate_init_raw(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}
