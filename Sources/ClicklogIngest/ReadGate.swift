/// Whether a connection may read from its socket, and the read it owes when it may again.
///
/// NIO reads when the pipeline asks (`read()`, issued after every read burst with autoRead);
/// a handler that holds the request back stops the socket being read, and the kernel's
/// receive window then stops the client. A connection is held for any of three reasons,
/// each lifted separately.
struct ReadGate: Sendable, Equatable {
    enum Reason: UInt8, Sendable {
        /// The writer's queue is over its limit (`BackPressure`).
        case writerBehind = 1
        /// Our writes to the client pile up: it does not read its acks.
        case clientNotReading = 2
        /// Shutting down: nothing new is read until the close handshake.
        case shutdown = 4
    }

    private var held: UInt8 = 0
    /// A `read()` arrived while held.
    private var owed = false

    init() {}

    var isHeld: Bool { held != 0 }

    func isHeld(for reason: Reason) -> Bool { held & reason.rawValue != 0 }

    /// The pipeline asks to read: returns whether to pass the request on now.
    mutating func read() -> Bool {
        if held == 0 { return true }
        owed = true
        return false
    }

    mutating func hold(_ reason: Reason) {
        held |= reason.rawValue
    }

    /// Lifts one reason; returns whether to issue the owed read now.
    mutating func release(_ reason: Reason) -> Bool {
        held &= ~reason.rawValue
        guard held == 0 && owed else { return false }
        owed = false
        return true
    }
}
