import Foundation

/// Everything one build needs: its identity, buildspec, source, environment, the repository it talks to.
public struct BuildRequest: Sendable {
    public var buildID: String
    public var buildNumber: Int
    /// The project the build belongs to; the cache is kept per project (server builds qualify it with their
    /// domain, `acme/app`, so that domains never share a cache).
    public var project: String
    public var buildspec: Buildspec
    /// Where commands run (CODEBUILD_SRC_DIR).
    public var sourceDirectory: URL
    /// Scratch space of this build (HOME, command files); removed when it ends.
    public var workDirectory: URL
    /// Where artifact zips are written.
    public var artifactsDirectory: URL
    /// The host's environment; only PATH, locale and a few more pass into the build (see BuildEnvironment).
    public var hostEnvironment: [String: String]
    /// `--env` / project environment; wins over the buildspec's `env.variables`.
    public var overrides: [String: String]
    /// Secret values by secret name, for `env.secrets`; missing ones fail the build before it starts.
    public var secretValues: [String: String]
    public var sourceVersion: String?
    public var resolvedSourceVersion: String?
    public var initiator: String
    public var timeoutSeconds: Int
    /// The Depot repository the build resolves from and publishes to; nil builds without registry wiring.
    public var registry: RegistryEndpoints?
    /// Where the commands run: bubblewrap shows them only the source and the scratch directory.
    public var sandbox: BuildSandbox

    public init(
        buildID: String, buildNumber: Int, project: String, buildspec: Buildspec, sourceDirectory: URL, workDirectory: URL,
        artifactsDirectory: URL, hostEnvironment: [String: String] = [:], overrides: [String: String] = [:],
        secretValues: [String: String] = [:], sourceVersion: String? = nil, resolvedSourceVersion: String? = nil,
        initiator: String, timeoutSeconds: Int, registry: RegistryEndpoints?, sandbox: BuildSandbox = .none
    ) {
        self.sandbox = sandbox
        self.buildID = buildID
        self.buildNumber = buildNumber
        self.project = project
        self.buildspec = buildspec
        self.sourceDirectory = sourceDirectory
        self.workDirectory = workDirectory
        self.artifactsDirectory = artifactsDirectory
        self.hostEnvironment = hostEnvironment
        self.overrides = overrides
        self.secretValues = secretValues
        self.sourceVersion = sourceVersion
        self.resolvedSourceVersion = resolvedSourceVersion
        self.initiator = initiator
        self.timeoutSeconds = timeoutSeconds
        self.registry = registry
    }
}
