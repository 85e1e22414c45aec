/// Bounds on what one request may make the server hold, parse or expand (`limits.*` in the configuration).
/// Each is generous for real clients (npm, pip/twine, mvn) and small enough that a hostile body costs bounded
/// memory, file handles and time. Violations are 413 (sizes) or 400 (too deep, too many), with nothing written.
public struct InputLimits: Sendable, Equatable {
    /// Largest JSON document held and parsed: an npm publish without its tarball, an npm audit, a management API body.
    public var maxJSONSize = 16 << 20
    /// Deepest nesting of arrays and objects in any JSON body (npm manifests nest a handful of levels).
    public var maxJSONDepth = 64
    /// Values (array elements, object members) in one JSON document: parsed, each costs ~60 bytes, so a wide
    /// document of tiny values would take 30 times its size in memory.
    public var maxJSONValues = 1_000_000
    /// Attachments (tarballs) one npm publish may carry: npm sends exactly one, and each holds an open file.
    public var maxNpmAttachments = 1
    /// Parts of a multipart upload (twine sends a few dozen fields, more with many classifiers).
    public var maxFormFields = 1000
    /// All non-file fields of a multipart upload together (the long description is the big one).
    public var maxFormFieldsSize = 16 << 20
    /// Largest XML document parsed (pom, maven-metadata.xml); a bigger pom is refused while it streams in.
    public var maxXMLSize = 8 << 20
    /// Bytes an archive may inflate to while it is inspected (an sdist's tar stream is read until PKG-INFO).
    public var maxDecompressedSize = 2 << 30
    /// Entries an archive may have when it is inspected (wheel, sdist, jar).
    public var maxArchiveEntries = 500_000

    public init() {}
}

/// The shape of a JSON text, measured without parsing it: deep nesting makes parsers recurse, and many tiny values
/// make them allocate far beyond the document's size, so both are refused before a parser sees the bytes.
public enum JSONNesting {
    /// Throws 400 `TooDeep` when arrays/objects nest deeper than `maxDepth`, 400 `TooManyValues` when there are more
    /// than `maxValues` values (counted as containers plus separators). Brackets and commas inside strings do not
    /// count; anything else malformed is left for the parser to refuse.
    public static func check(_ bytes: UnsafeRawBufferPointer, maxDepth: Int, maxValues: Int = .max) throws {
        var depth = 0
        var values = 0
        var inString = false
        var escaped = false
        for c in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if c == UInt8(ascii: "\\") {
                    escaped = true
                } else if c == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                values += 1
                guard depth <= maxDepth else { throw tooDeep(maxDepth) }
                guard values <= maxValues else { throw tooManyValues(maxValues) }
            case UInt8(ascii: ","):
                values += 1
                guard values <= maxValues else { throw tooManyValues(maxValues) }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
    }

    public static func check(_ bytes: [UInt8], maxDepth: Int, maxValues: Int = .max) throws {
        try bytes.withUnsafeBytes { try check($0, maxDepth: maxDepth, maxValues: maxValues) }
    }

    /// Both limits of `limits`.
    public static func check(_ bytes: UnsafeRawBufferPointer, limits: InputLimits) throws {
        try check(bytes, maxDepth: limits.maxJSONDepth, maxValues: limits.maxJSONValues)
    }

    public static func tooManyValues(_ maxValues: Int) -> DepotError {
        DepotError.badRequest("the JSON document has more than \(maxValues) values", code: "TooManyValues")
    }

    public static func tooDeep(_ maxDepth: Int) -> DepotError {
        DepotError.badRequest("the JSON document nests deeper than \(maxDepth) levels", code: "TooDeep")
    }
}
