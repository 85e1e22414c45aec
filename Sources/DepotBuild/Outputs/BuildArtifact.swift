/// One zip a build produced (the primary artifact or a secondary one).
public struct BuildArtifact: Sendable, Codable, Equatable {
    /// `primary`, or the identifier under `secondary-artifacts`.
    public var identifier: String
    public var name: String
    /// Paths inside the zip.
    public var files: [String]
    public var size: Int64
    public var sha256: String
    /// Where the zip is (local path; on the server, the blob's key).
    public var location: String

    public init(identifier: String, name: String, files: [String], size: Int64, sha256: String, location: String) {
        self.identifier = identifier
        self.name = name
        self.files = files
        self.size = size
        self.sha256 = sha256
        self.location = location
    }
}
