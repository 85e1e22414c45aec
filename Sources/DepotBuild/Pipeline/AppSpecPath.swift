/// The path rules of AppSpec files and deploy configuration: nothing may climb out of the artifact or the target.
enum AppSpecPath {
    /// A path inside a directory: not absolute, no `..` component, no NUL.
    static func isRelative(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.contains("\0") && !path.split(separator: "/").contains("..")
    }

    static func isAbsoluteDestination(_ path: String) -> Bool {
        path.hasPrefix("/") && !path.contains("\0") && !path.split(separator: "/").contains("..")
    }
}
