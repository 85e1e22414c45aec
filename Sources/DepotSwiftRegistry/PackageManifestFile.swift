/// A package manifest file name of a source archive's top directory: `Package.swift`, or a version-specific
/// `Package@swift-{major}[.{minor}[.{patch}]].swift` (the registry spec, §4.3).
struct PackageManifestFile: Sendable, Hashable, Comparable {
    static let unversionedName = "Package.swift"

    /// The Swift version of a version-specific manifest (`5.9`), nil for `Package.swift`.
    let swiftVersion: String?

    var filename: String { swiftVersion.map { "Package@swift-\($0).swift" } ?? Self.unversionedName }

    init(swiftVersion: String?) {
        self.swiftVersion = swiftVersion
    }

    init?(filename: String) {
        if filename == Self.unversionedName {
            swiftVersion = nil
            return
        }
        let prefix = "Package@swift-"
        let suffix = ".swift"
        guard filename.hasPrefix(prefix), filename.hasSuffix(suffix), filename.utf8.count > prefix.utf8.count + suffix.utf8.count else {
            return nil
        }
        let version = String(filename.dropFirst(prefix.count).dropLast(suffix.count))
        guard Self.isSwiftVersion(version) else { return nil }
        swiftVersion = version
    }

    /// One to three dot-separated runs of at most 9 digits (the spec's `\d+`, bounded so it always fits an `Int`).
    static func isSwiftVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return (1...3).contains(parts.count)
            && parts.allSatisfy { !$0.isEmpty && $0.count <= 9 && $0.utf8.allSatisfy { (48...57).contains($0) } }
    }

    /// `Package.swift` first, then the version-specific ones by name.
    static func < (a: PackageManifestFile, b: PackageManifestFile) -> Bool {
        switch (a.swiftVersion, b.swiftVersion) {
        case (nil, nil): false
        case (nil, _): true
        case (_, nil): false
        case let (x?, y?): x < y
        }
    }
}

/// The `// swift-tools-version:X[.Y[.Z]]` comment a manifest must open with, read as SwiftPM's parser reads its
/// common forms: optional spaces after `//` and after the colon, a version of one to three numbers, then optionally
/// `;` and settings.
enum ManifestToolsVersion {
    /// `5.9` of `// swift-tools-version:5.9`; nil when the first line is not such a comment.
    static func parse(_ manifest: String) -> String? {
        var text = Substring(manifest)
        if text.hasPrefix("\u{FEFF}") { text = text.dropFirst() }
        let firstLine = text.prefix { !$0.isNewline }
        guard firstLine.hasPrefix("//") else { return nil }
        let comment = firstLine.dropFirst(2).drop { $0 == " " || $0 == "\t" }
        let label = "swift-tools-version:"
        guard comment.lowercased().hasPrefix(label) else { return nil }
        let value = comment.dropFirst(label.count).drop { $0 == " " || $0 == "\t" }
        let version = value.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let after = value.dropFirst(version.count)
        guard PackageManifestFile.isSwiftVersion(String(version)),
            after.isEmpty || after.first == ";" || after.allSatisfy({ $0 == " " || $0 == "\t" })
        else { return nil }
        // SwiftPM's links carry at least major.minor.
        return version.contains(".") ? String(version) : "\(version).0"
    }
}
