import Foundation

/// libFuzzer's entry point. One executable serves every target; `DEPOT_FUZZ_TARGET` picks which
/// (libFuzzer reads its own command line, so the choice cannot be an argument).
/// Called by libFuzzer before any input: an unknown target stops here, listing the known ones.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>)
    -> CInt
{
    _ = FuzzTargets.selected
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.selected.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// A parser under test: `run` feeds it one input; only a trap or a sanitizer report is a finding.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    let run: @Sendable ([UInt8]) -> Void
}

enum FuzzTargets {
    static let all: [FuzzTarget] = [
        sdist, npmPublish, names, coreMetadata, mavenPath, mavenXML, buildspec, multipart, authorization, sigV4, wheel,
        cargoPublish, swiftPublish, swiftArchive, pipeline, awsLogs,
    ]

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["DEPOT_FUZZ_TARGET"] ?? ""
        guard let target = all.first(where: { $0.name == name }) else {
            let known = all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
            FileHandle.standardError.write(Data("set DEPOT_FUZZ_TARGET to one of:\n\(known)\n".utf8))
            _exit(2)  // not exit(): libFuzzer would report that as a crash of the target
        }
        return target
    }()
}

/// Splits an input into a selector byte and the rest, so one target can exercise several entry points.
struct FuzzInput {
    let selector: UInt8
    let rest: [UInt8]

    init(_ bytes: [UInt8]) {
        selector = bytes.first ?? 0
        rest = Array(bytes.dropFirst())
    }

    var text: String { String(decoding: rest, as: UTF8.self) }

    /// `rest` cut into pieces of 1...64 bytes (chosen by the selector), or whole: streaming parsers
    /// must give the same answer whatever the chunk boundaries.
    var chunks: [ArraySlice<UInt8>] {
        let size = selector & 0x80 != 0 ? Int(selector & 0x3f) + 1 : max(rest.count, 1)
        return stride(from: 0, to: rest.count, by: size).map { rest[$0..<min($0 + size, rest.count)] }
    }
}

/// Fails loudly (libFuzzer records a crash) when an invariant of a parser does not hold.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data("invariant violated: \(message())\n".utf8))
        abort()
    }
}
