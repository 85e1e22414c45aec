import DepotCore
import Foundation

/// A crate's sparse index file, rendered from a package view: one JSON line per version, oldest first.
public enum CargoIndexFile {
    /// The lines for a view. A version is yanked when its own line says so, when it is unlisted here, or when the
    /// external connection it came from has yanked it since. Archived, disposed and unfinished versions are left out.
    public static func lines(of view: PackageView) -> [(version: CargoVersion, entry: CargoIndexEntry)] {
        var lines: [(version: CargoVersion, entry: CargoIndexEntry)] = []
        for item in view.entries where item.status == .published || item.status == .unlisted {
            guard var entry = try? CargoIndexEntry(data: item.metadata), let version = CargoVersion(entry.vers) else { continue }
            let yankedUpstream = item.alsoUpstream.flatMap { try? CargoIndexEntry(data: $0.metadata) }?.yanked ?? false
            entry.yanked = entry.yanked || item.status == .unlisted || yankedUpstream
            lines.append((version, entry))
        }
        return lines.sorted { $0.version < $1.version }
    }

    public static func render(_ lines: [(version: CargoVersion, entry: CargoIndexEntry)]) -> [UInt8] {
        var out: [UInt8] = []
        for (_, entry) in lines {
            guard let line = try? entry.line() else { continue }
            out += line
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    /// The asset a version's `.crate` is stored as: `<lowercase name>-<version without build metadata>.crate`.
    public static func crateFileName(_ name: CargoCrateName, version: CargoVersion) -> String {
        "\(name.lowercased)-\(version.identity).crate"
    }
}
