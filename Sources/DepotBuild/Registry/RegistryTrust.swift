import Foundation

/// Makes a build's clients trust the private CA of an https Depot: the CA and a bundle of it with the system's roots
/// are written into the build's HOME (a sandboxed build sees nothing else of the host), and for Java a PKCS#12
/// truststore of the JDK's roots plus the CA, made with `keytool` when the JDK has one.
struct RegistryTrust: Sendable {
    /// The CA as given (PEM).
    var caCertificatePath: String

    static let truststorePassword = "changeit"

    func files(home: URL) -> (ca: URL, bundle: URL, truststore: URL) {
        let directory = home.appendingPathComponent(".depot")
        return (
            directory.appendingPathComponent("ca.pem"), directory.appendingPathComponent("ca-bundle.pem"),
            directory.appendingPathComponent("truststore.p12")
        )
    }

    /// Writes the CA, the bundle (system roots + CA: clients such as pip replace their roots with it) and the truststore.
    func write(home: URL, save: (String, String) throws -> Void) throws {
        let pem = try String(contentsOfFile: caCertificatePath, encoding: .utf8)
        try save(pem, ".depot/ca.pem")
        let system = Self.systemBundlePaths.lazy.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.first ?? ""
        try save(system + (system.hasSuffix("\n") || system.isEmpty ? "" : "\n") + pem, ".depot/ca-bundle.pem")
        makeJavaTruststore(ca: files(home: home).ca, at: files(home: home).truststore)
    }

    /// Variables for node (added to its roots), npm, pip, twine (requests), uv, curl and git (the bundle), and Maven.
    func environment(home: URL, mavenOptions: String) -> [String: String] {
        let (ca, bundle, truststore) = files(home: home)
        var variables = [
            "DEPOT_CA_CERT": ca.path, "NODE_EXTRA_CA_CERTS": ca.path, "PIP_CERT": bundle.path, "REQUESTS_CA_BUNDLE": bundle.path, "SSL_CERT_FILE": bundle.path,
            "CURL_CA_BUNDLE": bundle.path, "GIT_SSL_CAINFO": bundle.path,
            // npm does not read NODE_EXTRA_CA_CERTS for its registry requests; its cafile replaces node's roots.
            "NPM_CONFIG_CAFILE": bundle.path,
        ]
        variables["MAVEN_OPTS"] =
            FileManager.default.fileExists(atPath: truststore.path)
            ? mavenOptions + " -Djavax.net.ssl.trustStore=\(truststore.path) -Djavax.net.ssl.trustStorePassword=\(Self.truststorePassword)"
            : mavenOptions
        return variables
    }

    /// Debian/Ubuntu, then RHEL/Fedora, then Alpine/SUSE locations of the system's roots.
    static let systemBundlePaths = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem", "/etc/ssl/ca-bundle.pem",
    ]

    /// The JDK's roots with the CA added; without a JDK (no Maven in the build) nothing is made.
    private func makeJavaTruststore(ca: URL, at truststore: URL) {
        guard let keytool = Self.executable("keytool") else { return }
        try? FileManager.default.removeItem(at: truststore)
        let jdkRoots = URL(fileURLWithPath: keytool).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("lib/security/cacerts")
        let password = Self.truststorePassword
        if FileManager.default.fileExists(atPath: jdkRoots.path) {
            _ = Self.run(keytool, [
                "-importkeystore", "-noprompt", "-srckeystore", jdkRoots.path, "-srcstorepass", password,
                "-destkeystore", truststore.path, "-deststoretype", "PKCS12", "-deststorepass", password,
            ])
        }
        let imported = Self.run(keytool, [
            "-importcert", "-noprompt", "-alias", "depot-ca", "-file", ca.path, "-keystore", truststore.path, "-storetype", "PKCS12",
            "-storepass", password,
        ])
        if !imported { try? FileManager.default.removeItem(at: truststore) }
    }

    private static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func run(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
