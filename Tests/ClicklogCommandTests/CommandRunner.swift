import Foundation

/// Runs the built `clicklog` executable, as a user would, and captures what it printed.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum Clicklog {
    /// The executable next to the test bundle (`.build/<config>/clicklog`), or `$CLICKLOG_BIN`.
    static let executable: String = {
        if let path = ProcessInfo.processInfo.environment["CLICKLOG_BIN"] { return path }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("clicklog").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return ".build/debug/clicklog"
    }()

    @discardableResult
    static func run(_ arguments: [String], stdin: Data? = nil, stdoutFile: String? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        if let stdoutFile {
            FileManager.default.createFile(atPath: stdoutFile, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: stdoutFile)
        } else {
            process.standardOutput = out
        }
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        // Read before waiting so a full pipe cannot block the child.
        let outData = stdoutFile == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
