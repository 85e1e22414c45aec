/// The commit a Source/Git action fetched, and the output variables CodePipeline's source actions publish.
public struct GitSourceRevision: Sendable, Hashable, Codable {
    /// CodePipeline keeps the first 100 characters of the message.
    public static let maxMessageLength = 100

    public var commitId: String
    public var branchName: String
    public var commitMessage: String
    /// ISO 8601, UTC.
    public var authorDate: String

    public init(commitId: String, branchName: String, commitMessage: String, authorDate: String) {
        self.commitId = commitId
        self.branchName = branchName
        self.commitMessage = commitMessage
        self.authorDate = authorDate
    }

    /// `CommitId`, `BranchName`, `CommitMessage`, `AuthorDate`: what `#{SourceVariables.CommitId}` reads.
    public var outputVariables: [String: String] {
        ["CommitId": commitId, "BranchName": branchName, "CommitMessage": commitMessage, "AuthorDate": authorDate]
    }
}
