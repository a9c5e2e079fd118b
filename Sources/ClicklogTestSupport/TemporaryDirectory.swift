import Foundation

/// A fresh directory under the system's temporary directory, removed by `remove()`; tests use
/// one each so they can run in parallel.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "clicklog") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/\(label)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func appending(_ name: String) -> String { path + "/" + name }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
