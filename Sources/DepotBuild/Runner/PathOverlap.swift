import Foundation

/// Whether two directories share files: one is the other or lies inside it. Both are compared with symbolic
/// links resolved, so a link cannot smuggle the server's storage into a build.
public enum PathOverlap {
    public static func overlaps(_ path: String, _ other: String) -> Bool {
        let a = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let b = URL(fileURLWithPath: other).resolvingSymlinksInPath().path
        return inside(a, b) || inside(b, a)
    }

    /// `path` is `root` or below it (plain string paths, already resolved).
    static func inside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }
}
