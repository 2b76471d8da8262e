// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "redist",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "redist", targets: ["redist"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        /// Value types only: money, dates, records, diagnostics. No I/O.
        .target(name: "RedistModel"),
        /// libxml2, reached directly for streaming SAX2 parsing.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]),
        /// One reader per source format behind one protocol, and the registry.
        .target(name: "RedistIngest", dependencies: [
            "RedistModel", "CLibXML2",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: [
            // The readers' per-element state lives in classes; in release
            // builds the run-time exclusivity check on each access is off
            // (the compile-time one stays). It cost a tenth of an XML read.
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        ]),
        /// Pipeline file, warehouse, classification, reconciliation and measures.
        .target(name: "RedistCore", dependencies: [
            "RedistModel", "RedistIngest",
            .product(name: "GRDB", package: "GRDB.swift"),
            // SQLite's C API, for the warehouse's bulk load (bind and step without per-value boxing).
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            // The same warehouse on a PostgreSQL server (loaded with COPY).
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        /// CSV, HTML and evidence-pack renderers: the render stage, and only that.
        .target(name: "RedistReports", dependencies: [
            "RedistModel", "RedistCore",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        /// The run: the stages in order (Stages.swift), its stamp, locks and output folder, and `redist check`.
        .target(name: "RedistPipeline", dependencies: [
            "RedistModel", "RedistIngest", "RedistCore", "RedistReports",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .executableTarget(name: "redist", dependencies: [
            "RedistModel", "RedistIngest", "RedistCore", "RedistReports", "RedistPipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "RedistModelTests", dependencies: [
            "RedistModel",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "RedistIngestTests", dependencies: ["RedistIngest", "RedistModel"], exclude: ["Fixtures"]),
        .testTarget(name: "RedistCoreTests", dependencies: ["RedistCore", "RedistIngest", "RedistModel"], exclude: ["Fixtures"]),
        .testTarget(name: "RedistEndToEndTests", dependencies: [
            "RedistCore", "RedistIngest", "RedistReports", "RedistPipeline", "RedistModel", "redist",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], exclude: ["Fixtures", "Golden"]),
    ]
)
