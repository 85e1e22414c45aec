import Foundation

/// Maven's client: `mvn` reads the server (token), the repositories and the profile activating them from
/// `~/.m2/settings.xml`.
public struct MavenClientConfigurator: ClientConfigurator {
    public static let formatID = "maven"
    public static let endpointPath = "maven/"

    public var formatID: String { Self.formatID }
    public var endpointPath: String { Self.endpointPath }
    public var tools: [any ClientTool] { [MavenTool()] }

    public init() {}

    /// Where a build's Java truststore (the JDK's roots plus the CA) goes.
    static func truststore(_ trust: ClientTrust) -> URL { trust.directory.appendingPathComponent("truststore.p12") }

    public func prepareTrust(_ trust: ClientTrust) {
        JavaTruststore.make(ca: trust.certificate, at: Self.truststore(trust))
    }

    public func buildVariables(endpoint: String, token: String, home: URL, trust: ClientTrust?) -> [String: String] {
        // Java takes user.home from the password database, not $HOME: point Maven at the build's HOME.
        var options = "-Duser.home=\(home.path)"
        if let trust, FileManager.default.fileExists(atPath: Self.truststore(trust).path) {
            let password = JavaTruststore.password
            options += " -Djavax.net.ssl.trustStore=\(Self.truststore(trust).path) -Djavax.net.ssl.trustStorePassword=\(password)"
        }
        return ["DEPOT_MAVEN_URL": endpoint, "MAVEN_OPTS": options]
    }
}

/// `depot login --tool maven` (or `mvn`): a server, a profile with the repository and its activation in settings.xml.
struct MavenTool: ClientTool {
    var name: String { "maven" }
    var aliases: [String] { ["mvn"] }

    func configFile(endpoint: String, token: String, options: ToolOptions) -> ClientConfigFile {
        let settings = MavenSettingsFile(repositoryURL: endpoint, token: token)
        return ClientConfigFile(homePath: ".m2/settings.xml") { try settings.merged(into: $0) }
    }

    func loginSummary(endpoint: String, path: String, options: ToolOptions) -> String {
        "Wrote server and profile depot (\(endpoint)) to \(path). For deploys, add to your pom:\n"
            + MavenSettingsFile.distributionManagementSnippet(url: endpoint)
    }

    func privateCAHint(ca: String) -> String {
        "The server's certificate comes from a private CA: import \(ca) into a truststore with keytool and pass "
            + "-Djavax.net.ssl.trustStore=... in MAVEN_OPTS"
    }
}
