// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for Depot's parsers of untrusted bytes. Not part of the main build or CI:
// `scripts/fuzz` builds this package (debug, so `@testable import` works) with
// `--sanitize=fuzzer --sanitize=address` into `.build-fuzz/` at the repository root.
let package = Package(
    name: "DepotFuzz",
    dependencies: [
        .package(name: "Depot", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "DepotFuzz",
            dependencies: [.product(name: "DepotParsers", package: "Depot")],
            // libFuzzer supplies `main`; the harness only defines LLVMFuzzerTestOneInput.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
