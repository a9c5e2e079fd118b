/// A failure the user can act on: printed as `Error: <message>`, exit status 1.
struct CommandError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
