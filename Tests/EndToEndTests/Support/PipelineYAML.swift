import Foundation

/// Pieces of the end-to-end tests' pipeline definitions.
enum PipelineYAML {
    /// The first stage (`stages:` item, two spaces in): `Checkout` of `main` from a local repository, whose tree is
    /// the artifact `output`; `poll` false stops the branch poll.
    static func sourceStage(_ repository: URL, poll: Bool = true, output: String = "SourceOutput", namespace: String? = nil) -> String {
        """
          - name: Source
            actions:
              - name: Checkout
                category: Source
                provider: Git
                configuration: {Repository: "\(repository.path)", Branch: main\(poll ? "" : #", PollForSourceChanges: "false""#)}
                outputArtifacts: [\(output)]
        """ + (namespace.map { "\n        namespace: \($0)" } ?? "")
    }
}
