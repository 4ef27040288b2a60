// swift-tools-version: 6.1
// Micro-benchmarks of Kakari with ordo-one/package-benchmark, kept out of the main package so
// that its build and tests stay as they are. Run from this folder:
//   swift package benchmark
// End-to-end figures against the store's own limit come from `kakari bench` (docs/performance.md).
import Foundation
import PackageDescription

/// The main package is the folder above; SwiftPM names a local package after its folder.
let main = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "KakariBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "KakariBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "KakariCore", package: main),
                .product(name: "KakariDefinitions", package: main),
                .product(name: "KakariStore", package: main),
                .product(name: "KakariEngine", package: main),
            ],
            path: "Benchmarks/KakariBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
