/// Where a crate's file lives in a sparse index: `1/{n}`, `2/{n}`, `3/{first char}/{n}`, else
/// `{n[0..2]}/{n[2..4]}/{n}`, all lowercase.
public enum CargoIndexPath {
    public static func path(for name: CargoCrateName) -> String {
        let n = name.lowercased
        let chars = Array(n)
        switch chars.count {
        case 1: return "1/\(n)"
        case 2: return "2/\(n)"
        case 3: return "3/\(chars[0])/\(n)"
        default: return "\(String(chars[0..<2]))/\(String(chars[2..<4]))/\(n)"
        }
    }

    /// The crate a request path names, when the path is exactly where that crate's file is (so one crate has one
    /// path, and a path with traversal or a wrong prefix names nothing). Nil otherwise.
    public static func crate(atPath segments: [Substring]) -> CargoCrateName? {
        guard let last = segments.last, segments.count >= 2, segments.count <= 3,
            let name = try? CargoCrateName(String(last)), name.name == name.lowercased
        else { return nil }
        return path(for: name) == segments.joined(separator: "/") ? name : nil
    }
}
