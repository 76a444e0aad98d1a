// swift-tools-version: 6.0
//
// Tether: Backbone-style live models for Swift, synced over WebSocket, SSE or long polling.
// The user's design card says "packages: none": every target below builds on the toolchain alone.

import PackageDescription

/// One setting list for every target: Swift 6 mode is set package-wide; these keep the code honest.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Tether",
    platforms: [.macOS(.v14), .iOS(.v17), .tvOS(.v17), .watchOS(.v10)],
    products: [
        .library(name: "Tether", targets: ["Tether"]),
        .library(name: "TetherJSON", targets: ["TetherJSON"]),
        .library(name: "TetherModel", targets: ["TetherModel"]),
        .library(name: "TetherSync", targets: ["TetherSync"]),
        .library(name: "TetherTransports", targets: ["TetherTransports"]),
        .executable(name: "tether", targets: ["tether"]),
        .executable(name: "tether-bench", targets: ["tether-bench"]),
    ],
    targets: [
        // The CPU's prefetch hint, which Swift cannot spell (one inline C function).
        .target(name: "CTetherPrefetch"),
        // JSON value, UTF-8 parser/serializer, JSON Pointer, atomic JSON Patch, diff. No networking.
        .target(
            name: "TetherJSON",
            swiftSettings: strictSettings,
            // Double rounding (`Int64(exactly:)`) calls libm; Foundation-free targets must link it themselves.
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]
        ),
        // Backbone-faithful Events, SyncModel, SyncCollection.
        .target(name: "TetherModel", dependencies: ["TetherJSON", "CTetherPrefetch"], swiftSettings: strictSettings),
        // Versioning (HLC stamps, conflict-free document), wire protocol, RealtimeBinder, replay.
        .target(name: "TetherSync", dependencies: ["TetherJSON", "TetherModel"], swiftSettings: strictSettings),
        // WebSocket (own RFC 6455 client, TLS via dlopen), SSE and long-polling transports.
        .target(name: "TetherTransports", dependencies: ["TetherJSON", "TetherSync"], swiftSettings: strictSettings),
        // Umbrella module: `import Tether` brings in every layer.
        .target(
            name: "Tether",
            dependencies: ["TetherJSON", "TetherModel", "TetherSync", "TetherTransports"],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "tether", dependencies: ["Tether"], swiftSettings: strictSettings),
        .executableTarget(name: "tether-bench", dependencies: ["Tether"], swiftSettings: strictSettings),

        // Shared by the test targets: fixture paths, the test-peer Python, process helpers.
        .target(
            name: "TetherTestSupport", dependencies: ["TetherSync"], path: "Tests/TetherTestSupport",
            swiftSettings: strictSettings),
        .testTarget(
            name: "TetherJSONTests",
            dependencies: ["TetherJSON", "TetherTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TetherModelTests",
            dependencies: ["TetherModel", "TetherTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TetherSyncTests",
            dependencies: ["TetherSync", "TetherTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TetherTransportsTests",
            dependencies: ["TetherTransports", "TetherTestSupport"],
            swiftSettings: strictSettings
        ),
        // Runs the built `tether` executable as a user would (exit codes, stdout, stderr).
        .testTarget(
            name: "TetherCLITests",
            dependencies: ["tether", "TetherTestSupport"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
