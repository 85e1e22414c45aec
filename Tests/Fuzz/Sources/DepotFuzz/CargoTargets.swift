import DepotCore
import Foundation

@testable import DepotCargo

extension FuzzTargets {
    /// Cargo's publish body split whole and in chunks (the two must agree, byte for byte), then its JSON checked and
    /// turned into an index line as `PUT api/v1/crates/new` does; the rest of the input also feeds the name, version,
    /// index path and upstream index-file parsers.
    static let cargoPublish = FuzzTarget(name: "cargo-publish", summary: "Cargo publish body, crate names, versions, index files") { bytes in
        let input = FuzzInput(bytes)
        let whole = split([input.rest[...]])
        let chunked = split(input.chunks)
        switch (whole, chunked) {
        case let (a?, b?): check(a.json == b.json && a.crate == b.crate, "chunking changed the split")
        case (nil, nil): break
        default: check(false, "chunking changed whether the body splits")
        }
        if let (json, crate) = whole, let metadata = try? CargoPublishMetadata(json: json, limits: InputLimits()) {
            let entry = metadata.indexEntry(cksum: Hex.encode(crate.prefix(32)))
            if let line = try? entry.line() {
                check(!line.contains(UInt8(ascii: "\n")), "an index line holds a newline")
                check((try? CargoIndexEntry(data: line)) == entry, "an index line does not read back")
            }
        }
        let text = input.text
        if let name = try? CargoCrateName(text) {
            let path = CargoIndexPath.path(for: name)
            check(CargoIndexPath.crate(atPath: path.split(separator: "/"))?.lowercased == name.lowercased, "index path does not name its crate")
        }
        if let version = CargoVersion(text) {
            check(CargoVersion(version.identity) == version, "a version's identity is another version")
        }
        _ = CargoIndexPath.crate(atPath: text.split(separator: "/", omittingEmptySubsequences: false))
        if let key = try? CargoCrateName("fuzz").key {
            _ = try? CargoUpstreamFormat().parseMetadata(Data(input.rest), key: key, documentURL: URL(string: "https://index.crates.io/fu/zz/fuzz")!)
        }
    }

    private static func split(_ chunks: [ArraySlice<UInt8>]) -> (json: [UInt8], crate: [UInt8])? {
        let writer = MemoryBlobWriter()
        var body = CargoPublishBody(limits: .init(maxJSON: 1 << 16, maxCrate: 1 << 20)) { writer }
        do {
            for chunk in chunks { try chunk.withUnsafeBytes { try body.consume($0) } }
            let parts = try body.finish()
            check(parts.crateSize == writer.bytes.count, "the .crate length differs from what was written")
            return (parts.json, writer.bytes)
        } catch {
            return nil
        }
    }
}
