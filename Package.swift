// swift-tools-version: 6.1
import PackageDescription

// Data flows left to right, and so do the modules:
//   SmileyInput (edges) -> SmileyCore (presses, summaries; pure) -> SmileyStore (SQLite)
//   SmileyDaemon wires them into services for `smileyd`; SmileyControl is `smileyctl` (no HTTP or TLS:
//   it reaches the sync only through SmileySyncControl, the control socket's protocol and client).
/// The libgpiod the C shim compiles and links against: the system's (Debian's libgpiod-dev), or
/// the one installed under $SMILEY_LIBGPIOD_PREFIX (include/gpiod.h, lib/libgpiod.a) — how the
/// hardware-in-the-loop tests build their libgpiod 2.x variant of smileyd in the same build folder:
/// only the shim's one C file is compiled again (its own header includes no gpiod.h, so no Swift
/// module sees the difference) and the executables are linked again.
let libgpiod: (cSettings: [CSetting], linkerSettings: [LinkerSetting]) = {
    guard let prefix = Context.environment["SMILEY_LIBGPIOD_PREFIX"], !prefix.isEmpty else {
        return ([], [.linkedLibrary("gpiod")])
    }
    return ([.unsafeFlags(["-I\(prefix)/include"])],
            [.unsafeFlags(["-L\(prefix)/lib"]), .linkedLibrary("gpiod")])
}()

let package = Package(
    name: "Smiley",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "smileyd", targets: ["smileyd"]),
        .executable(name: "smileyctl", targets: ["smileyctl"]),
        .executable(name: "smiley-collector", targets: ["smiley-collector"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Upstream sync (SmileySync) and the reference receiver (SmileyCollector).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The collector's PostgreSQL storage (SmileyCollector only).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Pure domain: edges -> presses, misuse rules, summaries, time (zones, calendars, timestamps).
        // No I/O but loading a zone from the tz database (Time/Zone+Database.swift).
        .target(name: "SmileyCore"),
        // Small C shim for what Glibc does not export to Swift (adjtimex).
        .target(name: "CSmileySystem"),
        // A small shim over the system's gpiod.h: one API for libgpiod 1.6 and 2.x (chosen by the header).
        // SMILEY_LIBGPIOD_PREFIX (see `libgpiod` above) points it at another libgpiod.
        .target(name: "CGPIOD", cSettings: libgpiod.cSettings, linkerSettings: libgpiod.linkerSettings),
        // The system clocks (SystemTime), clock synchronization, boot id, waiting on file descriptors.
        .target(name: "SmileyPlatform", dependencies: ["SmileyCore", "CSmileySystem"]),
        // The YAML configuration file, strictly decoded and validated (its reader also reads the collector's).
        .target(name: "SmileyConfig", dependencies: [
            "SmileyCore", "SmileyPlatform",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Where edges come from: GPIO lines (libgpiod), keyboard, replayed gpiomon traces.
        .target(name: "SmileyInput", dependencies: ["SmileyCore", "SmileyConfig", "SmileyPlatform", "CGPIOD"]),
        // SQLite storage through GRDB: migrations, group-committing writer, read-only reader.
        // Binding a row through SQLite's C API on a GRDB statement (the per-sample inserts).
        .target(name: "SmileySQLite", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        .target(name: "SmileyStore", dependencies: [
            "SmileySQLite",
            "SmileyCore", "SmileyPlatform", "SmileyWire",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        // smileyd's services: input -> interpreter -> writer, clock watch, systemd notify.
        .target(name: "SmileyDaemon", dependencies: [
            "SmileyCore", "SmileyConfig", "SmileyInput", "SmileyStore", "SmileyPlatform", "SmileySync", "SmileySyncControl",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // smileyctl's subcommands.
        .target(name: "SmileyControl", dependencies: [
            "SmileyCore", "SmileyConfig", "SmileyStore", "SmileyPlatform", "SmileySyncControl",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The upstream contract (api/openapi.yaml) in one place: the wire types, the fast encoder and
        // the strict decoder, shared by smileyd's uploader and the collector.
        .target(name: "SmileyWire", dependencies: ["SmileyCore"]),
        // Asking for a sync from outside the uploader, with no HTTP: the control socket's protocol and
        // client, the sync lock, a request's progress and its final report.
        .target(name: "SmileySyncControl", dependencies: ["SmileyCore", "SmileyPlatform", "SmileyStore"]),
        // Upstream sync: uploader service, netlink watcher, control socket server, `smileyd --sync-once`.
        .target(name: "SmileySync", dependencies: [
            "SmileyCore", "SmileyConfig", "SmileyStore", "SmileyPlatform", "CSmileySystem", "SmileyWire", "SmileySyncControl",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "CompressNIO", package: "compress-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // smiley-collector, the reference receiver: HTTP API and its SQLite storage.
        .target(name: "SmileyCollector", dependencies: [
            "SmileyCore", "SmileyPlatform", "SmileySQLite", "SmileyWire", "SmileyConfig",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CompressNIO", package: "compress-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        // Two binaries: smileyctl links neither SmileySync nor SmileyDaemon (no HTTP, no TLS).
        .executableTarget(name: "smileyd", dependencies: ["SmileyDaemon"]),
        .executableTarget(name: "smileyctl", dependencies: ["SmileyControl"]),
        // Benchmarks (not tests): `make bench` prints the README's figures.
        .executableTarget(name: "smiley-bench", dependencies: [
            "SmileyDaemon", "SmileyConfig", "SmileyInput", "SmileyStore", "SmileyPlatform",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/smiley-bench"),
        .executableTarget(name: "smiley-collector", dependencies: [
            "SmileyCollector", "SmileyCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmark (not a test): drains a large backlog to a local collector.
        .executableTarget(name: "smiley-sync-bench", dependencies: [
            "SmileyStore", "SmileyCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/smiley-sync-bench"),

        // Shared by the test targets: temporary folders, the built executables, running processes.
        .target(name: "SmileyTestSupport", path: "Tests/SmileyTestSupport"),
        // `make bench-fleet` (not a test): 1,000 simulated terminals through HAProxy to two collectors on
        // one PostgreSQL (started with SmileyTestSupport's servers), ingest variants and rollup queries.
        .executableTarget(name: "smiley-fleet-bench", dependencies: [
            "SmileyCollector", "SmileyWire", "SmileyStore", "SmileyCore", "SmileyTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "CompressNIO", package: "compress-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/smiley-fleet-bench"),
        .testTarget(name: "SmileyCoreTests", dependencies: ["SmileyCore", "SmileyTestSupport"]),
        .testTarget(name: "SmileyPlatformTests", dependencies: ["SmileyPlatform"]),
        .testTarget(name: "SmileyConfigTests", dependencies: ["SmileyConfig", "SmileyTestSupport"]),
        .testTarget(name: "SmileyInputTests", dependencies: ["SmileyInput", "SmileyTestSupport"]),
        .testTarget(name: "SmileyStoreTests", dependencies: ["SmileyStore", "SmileyPlatform", "SmileyTestSupport"]),
        .testTarget(name: "SmileyDaemonTests", dependencies: [
            "SmileyDaemon", "SmileyStore", "SmileyInput", "SmileyConfig", "SmileyPlatform", "SmileyTestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SmileyControlTests", dependencies: [
            "SmileyControl", "SmileyStore", "SmileyConfig", "SmileyCore", "SmileyPlatform", "CZlib", "SmileyTestSupport",
            "SmileySyncControl",
        ]),
        // zlib, for the test that decodes the PNG headless Chromium renders of the HTML report.
        .systemLibrary(name: "CZlib", path: "Tests/CZlib", pkgConfig: "zlib"),
        // `make bench-reports`: summaries on a 10-million-sample database (not a test).
        .executableTarget(name: "smiley-report-bench", dependencies: [
            "SmileyControl", "SmileyStore", "SmileyConfig", "SmileyCore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], path: "Benchmarks/smiley-report-bench"),
        .testTarget(name: "SmileyWireTests", dependencies: [
            "SmileyWire", "SmileyCore", "SmileyTestSupport",
            // Reads api/openapi.yaml (test-only).
            .product(name: "Yams", package: "Yams"),
        ]),
        .testTarget(name: "SmileyCollectorTests", dependencies: [
            "SmileyCollector", "SmileyWire", "SmileyTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "CompressNIO", package: "compress-nio"),
        ]),
        .testTarget(name: "SmileySyncTests", dependencies: [
            "SmileySync", "SmileyCollector", "SmileyStore", "SmileyConfig", "SmileyCore", "SmileyPlatform",
            "SmileyTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
