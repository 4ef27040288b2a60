// swift-tools-version: 6.1
import PackageDescription

/// Kakari's targets follow its layers: a pure core, definition loading, the store protocol,
/// one target per storage backend, the engine, and the command line.
let package = Package(
    name: "kakari",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kakari", targets: ["KakariCLI"]),
        .library(name: "KakariCore", targets: ["KakariCore"]),
        .library(name: "KakariDefinitions", targets: ["KakariDefinitions"]),
        .library(name: "KakariStore", targets: ["KakariStore"]),
        .library(name: "KakariEngine", targets: ["KakariEngine"]),
        .library(name: "KakariAnalysis", targets: ["KakariAnalysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // The model and the pure core: definitions as values, expressions, durations,
        // the business calendar and `decide`. No I/O, no clock.
        .target(name: "KakariCore"),
        // Loading and checking definition files (workflows, staff, tables, calendar) from YAML.
        .target(
            name: "KakariDefinitions",
            dependencies: ["KakariCore", .product(name: "Yams", package: "Yams")]
        ),
        // The store protocol and the records it keeps.
        .target(
            name: "KakariStore",
            dependencies: ["KakariCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Process-wide SQLite settings that only C can make (`sqlite3_config` is variadic).
        .target(name: "CSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The embedded default backend: SQLite through GRDB.
        .target(
            name: "KakariSQLite",
            dependencies: [
                "KakariStore", "CSQLiteSettings",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Tools for section leads over the pure core: model checking, Monte Carlo simulation,
        // the report page. No store and no I/O in the exploring and simulating code.
        .target(
            name: "KakariAnalysis",
            dependencies: ["KakariCore", "KakariDefinitions", .product(name: "Yams", package: "Yams")]
        ),
        // The server backend for several daemons: PostgreSQL through postgres-nio.
        .target(
            name: "KakariPostgres",
            dependencies: [
                "KakariStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The engine: deploys, case operations, the daemon loop, CSV import, the demo.
        .target(
            name: "KakariEngine",
            dependencies: [
                "KakariCore", "KakariDefinitions", "KakariStore", "KakariSQLite", "KakariPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The `kakari` command line: parsing and printing only.
        .executableTarget(
            name: "KakariCLI",
            dependencies: [
                "KakariEngine", "KakariAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers the test targets share: temporary stores, fixtures, running the binary.
        .target(name: "KakariTesting", dependencies: ["KakariEngine"]),
        .testTarget(name: "KakariCoreTests", dependencies: ["KakariCore"]),
        .testTarget(
            name: "KakariDefinitionsTests",
            dependencies: ["KakariDefinitions", "KakariTesting"]
        ),
        .testTarget(
            name: "KakariEngineTests",
            dependencies: ["KakariEngine", "KakariSQLite", "KakariTesting", "CSQLiteSettings", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "KakariAnalysisTests",
            dependencies: ["KakariAnalysis", "KakariTesting"]
        ),
        .testTarget(
            name: "KakariCLITests",
            dependencies: ["KakariTesting", "KakariEngine", "KakariStore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
