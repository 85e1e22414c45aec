import DepotCore

/// The name of an uploaded distribution file: a wheel (`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`)
/// or an sdist (`{name}-{version}.tar.gz`, legacy `.zip` and `.tar.bz2`). The filename becomes part of
/// a URL and a download name, so anything that could be a path or a trick is refused before it is parsed.
public struct DistributionFilename: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case wheel
        case sdist
    }

    /// The file name exactly as uploaded.
    public let filename: String
    public let kind: Kind
    /// `.whl`, `.tar.gz`, `.zip` or `.tar.bz2`.
    public let fileExtension: String
    /// The name part as written in the file name (`typing_extensions`, `zope.interface`).
    public let name: String
    /// The PEP 503 normalized project name (`typing-extensions`).
    public let projectName: String
    /// The version part as written in the file name.
    public let version: String
    public let parsedVersion: PEP440Version
    /// Wheel build tag (starts with a digit), nil when absent and for sdists.
    public let buildTag: String?
    /// Wheel compressed tag sets (`py2.py3`, `none`, `any`); empty for sdists.
    public let pythonTag: String
    public let abiTag: String
    public let platformTag: String

    public static let sdistExtensions = [".tar.gz", ".zip", ".tar.bz2"]
    /// Longest file name accepted (a common file system limit).
    public static let maxLength = 255

    public init(_ filename: String) throws {
        try Self.checkSafe(filename)
        self.filename = filename
        if filename.hasSuffix(".whl") {
            let parts = filename.dropLast(4).split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 5 || parts.count == 6, parts.allSatisfy({ !$0.isEmpty }) else {
                throw Self.invalid(filename, "a wheel name is {name}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl")
            }
            name = parts[0]
            version = parts[1]
            buildTag = parts.count == 6 ? parts[2] : nil
            if let buildTag, !(buildTag.utf8.first.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false) {
                throw Self.invalid(filename, "the build tag '\(buildTag)' must start with a digit")
            }
            pythonTag = parts[parts.count - 3]
            abiTag = parts[parts.count - 2]
            platformTag = parts[parts.count - 1]
            kind = .wheel
            fileExtension = ".whl"
            // Wheel names escape every separator run as `_`; a `__` shows an unescaped name.
            guard PyPIProjectName.isValid(name), !name.contains("__") else {
                throw Self.invalid(filename, "'\(name)' is not a valid project name")
            }
        } else if let ext = Self.sdistExtensions.first(where: { filename.hasSuffix($0) }) {
            let stem = String(filename.dropLast(ext.count))
            // As `packaging.utils.parse_sdist_filename`: the version follows the last `-`.
            guard let dash = stem.lastIndex(of: "-") else {
                throw Self.invalid(filename, "an sdist name is {name}-{version}\(ext)")
            }
            name = String(stem[..<dash])
            version = String(stem[stem.index(after: dash)...])
            buildTag = nil
            pythonTag = ""
            abiTag = ""
            platformTag = ""
            kind = .sdist
            fileExtension = ext
            guard PyPIProjectName.isValid(name) else {
                throw Self.invalid(filename, "'\(name)' is not a valid project name")
            }
        } else {
            throw Self.invalid(filename, "only wheels (.whl) and sdists (.tar.gz, .zip, .tar.bz2) can be uploaded")
        }
        guard let parsed = PEP440Version(version) else {
            throw Self.invalid(filename, "'\(version)' is not a valid PEP 440 version")
        }
        parsedVersion = parsed
        projectName = PyPIProjectName.normalize(name)
    }

    public var description: String { filename }

    public var pythonTags: [String] { Self.tagSet(pythonTag) }
    public var abiTags: [String] { Self.tagSet(abiTag) }
    public var platformTags: [String] { Self.tagSet(platformTag) }

    /// Whether this file may belong to release `version` of `project` (as an uploader states them).
    ///
    /// Names compare after PEP 503 normalization. Versions compare as PEP 440 versions, the way PyPI
    /// compares a filename's version with the metadata's (`Version(a) == Version(b)`): `1.0` matches
    /// `1.0.0` and `1.0-1` matches `1.0.post1`. A version that is not PEP 440 must be spelt identically.
    /// For sdists every `-` is tried as the name/version boundary, because legacy sdists such as
    /// `python-dateutil-2.8.2.tar.gz` or `foo-1.0-1.tar.gz` are ambiguous on their own.
    public func matches(project: String, version expected: String) -> Bool {
        switch kind {
        case .wheel:
            projectName == PyPIProjectName.normalize(project) && Self.sameVersion(version, expected)
        case .sdist:
            Self.stem(filename.dropLast(fileExtension.count), matches: project, version: expected)
        }
    }

    /// True when some `-` in `stem` splits it into this project and version (see `matches`).
    /// Also used for the `{name}-{version}` directories inside archives.
    static func stem(_ stem: Substring, matches project: String, version: String) -> Bool {
        let wanted = PyPIProjectName.normalize(project)
        var index = stem.startIndex
        while let dash = stem[index...].firstIndex(of: "-") {
            if PyPIProjectName.normalize(String(stem[..<dash])) == wanted,
                sameVersion(String(stem[stem.index(after: dash)...]), version)
            {
                return true
            }
            index = stem.index(after: dash)
        }
        return false
    }

    static func sameVersion(_ a: String, _ b: String) -> Bool {
        switch (PEP440Version(a), PEP440Version(b)) {
        case let (x?, y?): x == y
        default: a == b
        }
    }

    private static func tagSet(_ tag: String) -> [String] {
        tag.isEmpty ? [] : tag.split(separator: ".").map(String.init)
    }

    /// Refuses path tricks and characters no distribution name contains, before any parsing.
    static func checkSafe(_ filename: String) throws {
        guard !filename.isEmpty, filename.utf8.count <= maxLength else {
            throw invalid(filename, "a file name must be 1-\(maxLength) bytes")
        }
        if filename.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) {
            throw invalid(filename, "control characters (including NUL) are not allowed")
        }
        if filename.contains("/") || filename.contains("\\") {
            throw invalid(filename, "path separators are not allowed")
        }
        if filename.contains("..") || filename.hasPrefix(".") {
            throw invalid(filename, "a file name must not start with '.' or contain '..'")
        }
        let allowed = filename.utf8.allSatisfy { c in
            PyPIProjectName.isAlphanumeric(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "!")
        }
        if !allowed {
            throw invalid(filename, "only ASCII letters, digits, '.', '_', '-', '+' and '!' are allowed")
        }
    }

    static func invalid(_ filename: String, _ reason: String) -> DepotError {
        let shown = String(filename.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) }.prefix(100))
        return DepotError.badRequest("invalid distribution file name '\(shown)': \(reason)", code: "InvalidFilename")
    }
}
