import DepotClientConfig
import Foundation
import Testing

@testable import DepotBuild

@Suite("RegistryWiring with a private CA")
struct RegistryTrustTests {
    /// A self-signed P-256 CA (valid until 2126) made for this test.
    static let caPEM = """
        -----BEGIN CERTIFICATE-----
        MIIBoTCCAUegAwIBAgIUfpKMrBzgQcjnpV+/Krk1DMasv94wCgYIKoZIzj0EAwIw
        HTEbMBkGA1UEAwwSRGVwb3QgVW5pdCBUZXN0IENBMCAXDTI2MTIwMjE1MjEyNFoY
        DzIxMjYxMTA4MTUyMTI0WjAdMRswGQYDVQQDDBJEZXBvdCBVbml0IFRlc3QgQ0Ew
        WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASGxZZ4OUeHWQuvg7kulxUvcRro2K1J
        kvmDOuScdU2Lg35yVQD2mwvSqoVIBaTavZVvL1LdCdebRIdYZc0ZetdJo2MwYTAd
        BgNVHQ4EFgQUZ9j/6lFwhRnZ2nXL55xpBo9UpU4wHwYDVR0jBBgwFoAUZ9j/6lFw
        hRnZ2nXL55xpBo9UpU4wDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAgQw
        CgYIKoZIzj0EAwIDSAAwRQIgXxRaq1yoFsl8k1XWb+CH9gJWxjAea1OcRCxlI89Z
        KoICIQCIIDhs28S7o8jiAk/vh3IsKMZ11gjQ4nrdk90/FYp9HQ==
        -----END CERTIFICATE-----

        """

    @Test("https URLs flow into every client file, and the CA is copied into HOME with the variables that use it")
    func privateCA() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("depot-trust-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let ca = root.appendingPathComponent("ca.pem")
        try Data(Self.caPEM.utf8).write(to: ca)
        let endpoints = RegistryEndpoints(serverURL: "https://127.0.0.1:8443/", domain: "acme", repository: "main", caCertificatePath: ca.path)
        let wiring = RegistryWiring(endpoints: endpoints, token: "dpt_test", clients: ClientConfigurators.all)
        try wiring.write(home: home)

        let npmrc = try String(contentsOf: home.appendingPathComponent(".npmrc"), encoding: .utf8)
        #expect(npmrc.contains("registry=https://127.0.0.1:8443/acme/main/npm/"))
        #expect(npmrc.contains("//127.0.0.1:8443/acme/main/npm/:_authToken=dpt_test"))
        let pip = try String(contentsOf: home.appendingPathComponent(".config/pip/pip.conf"), encoding: .utf8)
        #expect(pip.contains("index-url = https://depot:dpt_test@127.0.0.1:8443/acme/main/pypi/simple/"), "\(pip)")
        let settings = try String(contentsOf: home.appendingPathComponent(".m2/settings.xml"), encoding: .utf8)
        #expect(settings.contains("<url>https://127.0.0.1:8443/acme/main/maven/</url>"), "\(settings)")

        let environment = wiring.environment(home: home)
        let copied = home.appendingPathComponent(".depot/ca.pem").path
        let bundle = home.appendingPathComponent(".depot/ca-bundle.pem").path
        #expect(environment["NODE_EXTRA_CA_CERTS"] == copied && environment["DEPOT_CA_CERT"] == copied)
        for name in ["NPM_CONFIG_CAFILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO"] {
            #expect(environment[name] == bundle, "\(name)")
        }
        #expect(try String(contentsOfFile: copied, encoding: .utf8) == Self.caPEM)
        #expect(try String(contentsOfFile: bundle, encoding: .utf8).hasSuffix(Self.caPEM))
        let mode = try FileManager.default.attributesOfItem(atPath: copied)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // With a JDK, Maven gets a truststore of the JDK's roots plus the CA.
        let truststore = home.appendingPathComponent(".depot/truststore.p12").path
        if FileManager.default.fileExists(atPath: truststore) {
            #expect(environment["MAVEN_OPTS"]?.contains("-Djavax.net.ssl.trustStore=\(truststore)") == true)
        }
        #expect(environment["MAVEN_OPTS"]?.hasPrefix("-Duser.home=\(home.path)") == true)
    }

    @Test("without a CA nothing about trust is written or set")
    func noCA() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("depot-trust-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let wiring = RegistryWiring(
            endpoints: RegistryEndpoints(serverURL: "http://127.0.0.1:8080", domain: "acme", repository: "main"), token: "t",
            clients: ClientConfigurators.all)
        try wiring.write(home: home)
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent(".depot").path))
        let environment = wiring.environment(home: home)
        #expect(environment["NODE_EXTRA_CA_CERTS"] == nil && environment["PIP_CERT"] == nil)
        #expect(environment["MAVEN_OPTS"] == "-Duser.home=\(home.path)")
    }
}
