#include <zlib.h>

/// `inflateInit2` is a macro (it passes the library's version and the stream's size), which
/// Swift cannot call: a function around it.
static inline int clicklog_inflate_init_raw(z_streamp stream) {
    return inflateInit2(stream, -15);
}
