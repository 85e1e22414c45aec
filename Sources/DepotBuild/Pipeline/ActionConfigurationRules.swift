/// The configuration each Depot action type takes: required and known keys, and the form of each value. A value
/// holding a `#{...}` reference is checked when the action starts, once it is resolved.
enum ActionConfigurationRules {
    static func check(
        _ action: ActionDeclaration, provider: ActionProvider, path: String, gitSources: GitSourcePolicy?, _ problems: inout PipelineProblemList
    ) {
        let configuration = action.configuration
        for key in configuration.keys.sorted() where !provider.allowedKeys.contains(key) {
            problems.add("\(path).\(key)", "unknown configuration key for \(provider.rawValue) (expected: \(provider.allowedKeys.sorted().joined(separator: ", ")))")
        }
        for alternatives in provider.requiredKeys {
            let given = alternatives.filter { configuration[$0] != nil }
            if given.isEmpty {
                let what = alternatives.count == 1 ? alternatives[0] : alternatives.joined(separator: " or ")
                problems.add("\(path).\(alternatives[0])", "\(what) is required for \(provider.rawValue)")
            } else if given.count > 1, provider.exclusiveAlternatives {
                problems.add("\(path).\(given[1])", "give only one of \(alternatives.joined(separator: ", "))")
            }
        }
        var check = ValueCheck(configuration: configuration, path: path, problems: problems)
        switch provider {
        case .git:
            check.refusal("Repository") { gitSources?.refusal($0) ?? GitSourcePolicy.formRefusal($0) }
            check.value("Branch", "a valid branch name", isBranchName)
            check.value("BranchName", "a valid branch name", isBranchName)
            check.value("PollForSourceChanges", "true or false") { ["true", "false"].contains($0) }
        case .depotBuild, .depotTest:
            check.value("ProjectName", "a project name (A-Z a-z 0-9 - _, 2 to 255)") { isProjectName($0) }
            check.buildspec()
            check.parsed("EnvironmentVariables") { text throws(PipelineVariableError) in _ = try BuildActionEnvironmentVariable.parse(text) }
            check.value("PrimarySource", "one of the action's input artifacts") { action.inputArtifacts.contains($0) }
        case .manualApproval:
            check.value("CustomData", "at most \(PipelineLimits.maxCustomDataLength) characters") { $0.count <= PipelineLimits.maxCustomDataLength }
            check.value("ExternalEntityLink", "an http or https URL") { $0.hasPrefix("https://") || $0.hasPrefix("http://") }
            check.value("ExpiresInMinutes", "a whole number of minutes from 1 to \(ApprovalConfiguration.maxExpiresInMinutes) (7 days)") {
                Int($0).map { (1...ApprovalConfiguration.maxExpiresInMinutes).contains($0) } == true
            }
        case .promote:
            check.value("Format", "a package format name such as npm (a-z 0-9)") { text in
                text.count <= 20 && !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
            }
            check.value("Versions", "a comma-separated list of at most \(PromoteConfiguration.maxVersions) versions") {
                PromoteConfiguration.versions($0) != nil
            }
            check.value("SourceRepository", "a repository name", isRepositoryName)
            check.value("DestinationRepository", "a repository name", isRepositoryName)
            if let source = configuration["SourceRepository"], source == configuration["DestinationRepository"], !source.contains("#{") {
                check.problems.add("\(path).DestinationRepository", "must differ from SourceRepository")
            }
        case .appSpec:
            check.value("AppSpec", "a relative path inside the input artifact, without '..'") { AppSpecPath.isRelative($0) }
            check.value("TargetDirectory", "an absolute path without '..'") { AppSpecPath.isAbsoluteDestination($0) }
            check.value("ApplicationName", "a name (A-Z a-z 0-9 . @ - _)", PipelineLimits.isName)
            check.value("DeploymentGroupName", "a name (A-Z a-z 0-9 . @ - _)", PipelineLimits.isName)
        case .shell:
            check.value("Command", "a command") { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        }
        problems = check.problems
    }

    /// git's rules for a branch name (`git check-ref-format --branch`), which also keep it from reading as an option.
    static func isBranchName(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 255, !text.hasPrefix("-"), !text.hasPrefix("/"), !text.hasSuffix("/"), !text.hasSuffix("."),
            !text.hasSuffix(".lock"), !text.contains(".."), !text.contains("@{"), !text.contains("//"), text != "@"
        else { return false }
        let forbidden = Set(" ~^:?*[\\".unicodeScalars)
        return text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !forbidden.contains($0) }
            && !text.split(separator: "/").contains { $0.hasPrefix(".") }
    }

    static func isProjectName(_ text: String) -> Bool {
        (2...255).contains(text.count) && text.first != "-" && text.first != "_"
            && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }

    /// CodeArtifact's repository names: 2 to 100 of A-Z a-z 0-9 . - _, starting with a letter or digit.
    static func isRepositoryName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, (2...100).contains(text.count) else { return false }
        let allowed: (Unicode.Scalar) -> Bool = { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        return allowed(first) && text.unicodeScalars.allSatisfy { allowed($0) || ".-_".unicodeScalars.contains($0) }
    }
}

/// Checks the values present in one action's configuration, skipping those with references.
private struct ValueCheck {
    let configuration: [String: String]
    let path: String
    var problems: PipelineProblemList

    mutating func value(_ key: String, _ expected: String, _ isValid: (String) -> Bool) {
        guard let text = configuration[key], !text.contains("#{") else { return }
        if !isValid(text) { problems.add("\(path).\(key)", "must be \(expected), not '\(text.prefix(80))'") }
    }

    /// A value checked by a function that says what is wrong with it.
    mutating func refusal(_ key: String, _ refusal: (String) -> String?) {
        guard let text = configuration[key], !text.contains("#{"), let reason = refusal(text) else { return }
        problems.add("\(path).\(key)", "\(reason), not '\(text.prefix(80))'")
    }

    mutating func parsed(_ key: String, _ parse: (String) throws(PipelineVariableError) -> Void) {
        guard let text = configuration[key], !text.contains("#{") else { return }
        do {
            try parse(text)
        } catch {
            for problem in error.problems { problems.add("\(path).\(key)", problem) }
        }
    }

    /// An inline buildspec must itself be valid; its problems are reported under the key, with their buildspec line.
    mutating func buildspec() {
        guard let text = configuration["Buildspec"] else { return }
        do {
            _ = try BuildspecParser.parse(text, file: "Buildspec")
        } catch let error as BuildspecError {
            for problem in error.problems {
                problems.add("\(path).Buildspec", problem.line.map { "buildspec line \($0): \(problem.message)" } ?? problem.message)
            }
        } catch {
            problems.add("\(path).Buildspec", "\(error)")
        }
    }
}
