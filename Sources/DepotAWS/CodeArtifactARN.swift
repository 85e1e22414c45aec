import DepotCore

/// The ARN of a CodeArtifact domain or repository: `arn:aws:codeartifact:<region>:<account>:domain/<domain>` and
/// `...:repository/<domain>/<repository>`. Depot has one account and answers in every region.
struct CodeArtifactARN: Equatable {
    var region: String
    var accountID: String
    var domain: String
    /// Nil for a domain's ARN.
    var repository: String?

    var text: String {
        let resource = repository.map { "repository/\(domain)/\($0)" } ?? "domain/\(domain)"
        return "arn:aws:codeartifact:\(region):\(accountID):\(resource)"
    }

    /// The model's bound on `resourceArn`.
    static let maximumLength = 1011

    /// Reads a `resourceArn`: anything but a domain's or a repository's ARN is a ValidationException; another
    /// account's resource is not found here (ResourceNotFoundException).
    init(parsing text: String, accountID: String) throws {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard text.utf8.count <= Self.maximumLength, fields.count == 6, fields[0] == "arn", fields[1].hasPrefix("aws"),
            fields[2] == "codeartifact", !fields[3].isEmpty
        else {
            throw AWSError.validation("resourceArn '\(text.prefix(200))' is not the ARN of a CodeArtifact domain or repository")
        }
        let path = fields[5].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch (path.first, path.count) {
        case ("domain", 2) where !path[1].isEmpty:
            (domain, repository) = (path[1], nil)
        case ("repository", 3) where !path[1].isEmpty && !path[2].isEmpty:
            (domain, repository) = (path[1], path[2])
        default:
            throw AWSError.validation("resourceArn '\(text.prefix(200))' names neither a domain nor a repository (the resources Depot tags)")
        }
        guard fields[4] == accountID else { throw AWSError.notFound("no resource '\(text.prefix(200))' in account \(accountID)") }
        (region, self.accountID) = (fields[3], fields[4])
    }

    init(region: String, accountID: String, domain: String, repository: String? = nil) {
        (self.region, self.accountID, self.domain, self.repository) = (region, accountID, domain, repository)
    }
}
