// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Tally",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tally", targets: ["tally"]),
        .library(name: "TallyKit", targets: ["TallyKit"]),
        .library(name: "TallyREPL", targets: ["TallyREPL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CEditLine",
            path: "Sources/CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"]), .brew(["libedit"])]
        ),
        .target(
            name: "CSQLiteConfig",
            path: "Sources/CSQLiteConfig",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .target(
            name: "TallyKit",
            dependencies: [
                "CSQLiteConfig",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            path: "Sources/TallyKit"
        ),
        .target(
            name: "TallyAnalyses",
            dependencies: ["TallyKit", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Plugins/Analyses"
        ),
        .target(
            name: "TallyCommands",
            dependencies: ["TallyKit", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Plugins/Commands"
        ),
        .target(
            name: "TallyREPL",
            dependencies: ["TallyKit", "CEditLine", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/TallyREPL"
        ),
        .executableTarget(
            name: "tally",
            dependencies: [
                "TallyKit", "TallyREPL", "TallyAnalyses", "TallyCommands",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/tally"
        ),
        .executableTarget(
            name: "tally-bench",
            dependencies: ["TallyKit"],
            path: "Benchmarks/Sources/tally-bench"
        ),
        .testTarget(
            name: "TallyKitTests",
            dependencies: ["TallyKit", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/TallyKitTests",
            exclude: ["Databases"]
        ),
        .testTarget(
            name: "TallyPluginsTests",
            dependencies: ["TallyKit", "TallyAnalyses", "TallyCommands", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/TallyPluginsTests"
        ),
        .testTarget(
            name: "TallyREPLTests",
            dependencies: ["TallyREPL", "TallyKit"],
            path: "Tests/TallyREPLTests"
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["TallyKit"],
            path: "Tests/EndToEndTests"
        ),
    ],
    swiftLanguageModes: [.v5]
)
