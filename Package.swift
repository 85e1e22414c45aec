// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Depot",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "depot", targets: ["depot"]),
        // Only for the libFuzzer harnesses in Tests/Fuzz (a separate package that depends on this one by path).
        .library(name: "DepotParsers", targets: ["DepotCore", "DepotHTTP", "DepotNPM", "DepotPyPI", "DepotMaven", "DepotCargo", "DepotSwiftRegistry", "DepotBuild", "DepotAWS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "DepotCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "DepotClientConfig", dependencies: ["DepotCore"]),
        .target(
            name: "DepotStorage",
            dependencies: [
                "DepotCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "DepotHTTP",
            dependencies: [
                "DepotCore",
                "DepotClientConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .target(
            name: "DepotNPM",
            dependencies: [
                "DepotCore",
                "DepotClientConfig",
                "DepotHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "DepotPyPI",
            dependencies: [
                "DepotCore",
                "DepotClientConfig",
                "DepotHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "DepotMaven",
            dependencies: [
                "DepotCore",
                "DepotClientConfig",
                "DepotHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(
            name: "DepotCargo",
            dependencies: [
                "DepotCore",
                "DepotClientConfig",
                "DepotHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "DepotSwiftRegistry",
            dependencies: [
                "DepotCore",
                "DepotClientConfig",
                "DepotHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "DepotAWS",
            dependencies: [
                "DepotCore",
                "DepotHTTP",
                "DepotBuild",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "DepotBuild",
            dependencies: [
                "DepotCore",
                "DepotClientConfig",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DepotServer",
            dependencies: [
                "DepotCore",
                "DepotStorage",
                "DepotHTTP",
                "DepotNPM",
                "DepotPyPI",
                "DepotMaven",
                "DepotCargo",
                "DepotSwiftRegistry",
                "DepotBuild",
                "DepotAWS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The web console's templates and static files, loaded once at start-up.
            resources: [.copy("Console/Resources")]
        ),
        .executableTarget(
            name: "depot",
            dependencies: [
                "DepotServer",
                "DepotClientConfig",
                "DepotBuild",
                "DepotCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "DepotCoreTests", dependencies: ["DepotCore"]),
        .testTarget(name: "DepotStorageTests", dependencies: ["DepotStorage", "DepotCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "DepotHTTPTests", dependencies: ["DepotHTTP", "DepotCore", .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(name: "DepotNPMTests", dependencies: ["DepotNPM", "DepotCore"]),
        .testTarget(name: "DepotMavenTests", dependencies: ["DepotMaven", "DepotCore"]),
        .testTarget(name: "DepotCargoTests", dependencies: ["DepotCargo", "DepotCore"]),
        .testTarget(name: "DepotSwiftRegistryTests", dependencies: ["DepotSwiftRegistry", "DepotCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "DepotAWSTests", dependencies: ["DepotAWS", "DepotCore", "DepotBuild"], exclude: ["Fixtures"]),
        .testTarget(name: "DepotClientConfigTests", dependencies: ["DepotClientConfig", "DepotCore"]),
        .testTarget(name: "DepotBuildTests", dependencies: ["DepotBuild", "DepotClientConfig", "DepotCore"]),
        .testTarget(
            name: "DepotPyPITests",
            dependencies: [
                "DepotPyPI", "DepotCore", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "DepotServerTests",
            dependencies: ["DepotServer", "DepotCore", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        // The Python helpers the tests run are not sources.
        .testTarget(name: "EndToEndTests", dependencies: [], exclude: ["Support/console_browser.py", "Support/aws_codeartifact_boto3.py", "Support/aws_codebuild_boto3.py"]),
    ]
)
