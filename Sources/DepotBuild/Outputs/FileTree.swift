import Foundation

/// Regular files under a directory, as sorted `/`-separated relative paths; symbolic links are not followed.
enum FileTree {
    static func files(under root: URL) -> [String] {
        let base = root.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let attributes = enumerator.fileAttributes
            if attributes?[.type] as? FileAttributeType == .typeRegular { files.append(relative) }
        }
        return files.sorted()
    }

    /// `relative` resolved under `root`, or nil when it climbs out of it.
    static func contained(_ relative: String, in root: URL) -> URL? {
        let resolved = (relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : root.appendingPathComponent(relative)).standardizedFileURL
        let rootPath = root.standardizedFileURL.path
        guard isInside(resolved.path, rootPath) else { return nil }
        // Nor through a symbolic link the build made: the server reads and copies these paths outside the sandbox.
        guard isInside(resolved.resolvingSymlinksInPath().path, root.resolvingSymlinksInPath().path) else { return nil }
        return resolved
    }

    private static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
}
