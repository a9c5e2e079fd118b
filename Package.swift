// swift-tools-version:6.1
import PackageDescription
import class Foundation.ProcessInfo

/// Modules follow the data flow: events → storage → ingest, storage → query → reports.
/// The `clicklog` executable is a thin layer of commands over them.
let package = Package(
    name: "clicklog",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "clicklog", targets: ["clicklog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "ClicklogEvents"),
        .target(name: "ClicklogGenerator"),
        .target(
            name: "ClicklogStorage",
            dependencies: ["ClicklogEvents", "CZstd", "CSQLite"]
        ),
        .target(
            name: "ClicklogIngest",
            dependencies: [
                "ClicklogEvents", "ClicklogStorage", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Web")]
        ),
        .target(
            name: "ClicklogQuery",
            dependencies: ["ClicklogEvents", "ClicklogStorage", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "ClicklogReports",
            dependencies: ["ClicklogEvents", "ClicklogStorage", "ClicklogQuery", "CSQLite"]
        ),
        .executableTarget(
            name: "clicklog",
            dependencies: [
                "ClicklogEvents", "ClicklogStorage", "ClicklogGenerator", "ClicklogIngest", "ClicklogQuery",
                "ClicklogReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ClicklogTestSupport",
            dependencies: ["ClicklogEvents", "ClicklogStorage", "ClicklogGenerator"]
        ),
        .testTarget(name: "ClicklogEventsTests", dependencies: ["ClicklogEvents", "ClicklogTestSupport"]),
        .testTarget(name: "ClicklogStorageTests", dependencies: ["ClicklogStorage", "ClicklogTestSupport"]),
        .testTarget(name: "ClicklogQueryTests", dependencies: ["ClicklogQuery", "ClicklogTestSupport"]),
        .testTarget(
            name: "ClicklogIngestTests",
            dependencies: [
                "ClicklogIngest", "ClicklogTestSupport", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ClicklogReportsTests", dependencies: ["ClicklogReports", "ClicklogTestSupport"]),
        .testTarget(name: "ClicklogGeneratorTests", dependencies: ["ClicklogGenerator", "ClicklogEvents"]),
        .testTarget(name: "ClicklogCommandTests", dependencies: ["clicklog", "ClicklogTestSupport"]),
    ]
)

// On x86-64, Clicklog's own modules are compiled for x86-64-v2 (SSE4.2 and POPCNT, on every
// x86-64 server CPU since 2009). Below it `nonzeroBitCount` is a dozen instructions instead of
// one, and the dictionary encoder's move-to-front ranking counts bits for every row.
#if arch(x86_64)
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-Xcc", "-march=x86-64-v2"])]
}
#endif

// Benchmarks are declared only when asked for (CLICKLOG_BENCHMARKS=1), so `swift build` and
// `swift test` never resolve package-benchmark and its malloc interposer.
if ProcessInfo.processInfo.environment["CLICKLOG_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "ClicklogBenchmarks",
            dependencies: [
                "ClicklogEvents", "ClicklogStorage", "ClicklogGenerator",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ClicklogBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
