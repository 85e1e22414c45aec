import Foundation
import Testing

@testable import DepotServer

@Suite("ServerTransport")
struct ServerTransportTests {
    /// Writes `yaml` to a temporary file and loads it with `environment`.
    func load(yaml: String, environment: [String: String] = [:]) throws -> DepotConfiguration {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("depot-tls-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try ConfigurationLoader.load(file: file.path, environment: environment)
    }

    @Test("server.tls.certificate and server.tls.key come from the nested YAML section and from DEPOT_TLS_*")
    func configurationKeys() throws {
        let fromFile = try load(yaml: "server:\n  tls:\n    certificate: /etc/depot/cert.pem\n    key: /etc/depot/key.pem\n")
        #expect(fromFile.tlsCertificatePath == "/etc/depot/cert.pem")
        #expect(fromFile.tlsKeyPath == "/etc/depot/key.pem")
        let fromEnvironment = try ConfigurationLoader.load(
            file: nil, environment: ["DEPOT_TLS_CERT": "/run/cert.pem", "DEPOT_TLS_KEY": "/run/key.pem"])
        #expect(fromEnvironment.tlsCertificatePath == "/run/cert.pem" && fromEnvironment.tlsKeyPath == "/run/key.pem")
        #expect(try load(yaml: "server:\n  tls:\n    certificate: null\n    key: null\n") == DepotConfiguration())
    }

    @Test("a certificate without a key (or the reverse), or an unknown tls key, stops start-up with the missing key named")
    func incompleteConfiguration() throws {
        for (yaml, key) in [
            ("server:\n  tls:\n    certificate: /c.pem\n", "server.tls.key"),
            ("server:\n  tls:\n    key: /k.pem\n", "server.tls.certificate"),
            ("server:\n  tls:\n    cert: /c.pem\n", "server.tls.cert"),
        ] {
            do {
                _ = try load(yaml: yaml)
                Issue.record("accepted \(yaml)")
            } catch let error as ConfigurationError {
                #expect(error.key == key, "\(error)")
            }
        }
    }

    @Test("unreadable certificate or key files are configuration errors naming the key")
    func unreadableFiles() throws {
        var configuration = DepotConfiguration()
        configuration.tlsCertificatePath = "/nonexistent/cert.pem"
        configuration.tlsKeyPath = "/nonexistent/key.pem"
        do {
            _ = try ServerTransport(configuration: configuration)
            Issue.record("accepted missing files")
        } catch let error as ConfigurationError {
            #expect(error.key == "server.tls.certificate", "\(error)")
        }
    }

    @Test("plain HTTP is the default; it warns only when bound to an address other machines reach")
    func cleartextWarning() throws {
        let plain = try ServerTransport(configuration: DepotConfiguration())
        #expect(plain.scheme == "http")
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"] {
            #expect(plain.cleartextWarning(host: host) == nil, "\(host)")
        }
        for host in ["0.0.0.0", "::", "192.168.1.10", "depot.example.com"] {
            let warning = plain.cleartextWarning(host: host)
            #expect(warning?.contains("tokens and Basic passwords cross the network in clear") == true, "\(host)")
        }
    }
}
