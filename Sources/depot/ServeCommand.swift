import ArgumentParser
import DepotServer
import Foundation
import Hummingbird
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Depot server.")

    @Option(help: "Configuration file (YAML); defaults to config/depot.yaml when it exists.") var config: String?
    @Option(help: "Listen address (default 127.0.0.1).") var host: String?
    @Option(help: "Listen port (default 8080; 0 picks a free one).") var port: Int?
    @Option(help: "Storage directory (default ./storage).") var storage: String?
    @Option(name: .customLong("public-url"), help: "Base URL clients use, e.g. https://depot.example.com.") var publicURL: String?
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS (HTTP/1.1 and HTTP/2); reloaded on SIGHUP.")
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.") var tlsKey: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let file = config ?? (FileManager.default.fileExists(atPath: "config/depot.yaml") ? "config/depot.yaml" : nil)
        var configuration: DepotConfiguration
        do {
            configuration = try ConfigurationLoader.load(file: file, environment: environment)
            if let host { try ConfigurationLoader.set("server.host", host, in: &configuration, source: "--host") }
            if let port { try ConfigurationLoader.set("server.port", port, in: &configuration, source: "--port") }
            if let storage { try ConfigurationLoader.set("storage.path", storage, in: &configuration, source: "--storage") }
            if let publicURL { try ConfigurationLoader.set("server.publicURL", publicURL, in: &configuration, source: "--public-url") }
            if let tlsCertificate { try ConfigurationLoader.set("server.tls.certificate", tlsCertificate, in: &configuration, source: "--tls-cert") }
            if let tlsKey { try ConfigurationLoader.set("server.tls.key", tlsKey, in: &configuration, source: "--tls-key") }
            try ConfigurationLoader.validate(configuration)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("depot: \(error.description)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        var logger = Logger(label: "depot") { DeferredMetadataLogHandler(label: $0) }
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        do {
            let app = try await buildApplication(configuration: configuration, logger: logger)
            try await app.runService()
        } catch let error as ConfigurationError {
            // An unreadable certificate or key is a configuration error too.
            FileHandle.standardError.write(Data("depot: \(error.description)\n".utf8))
            throw ExitCode(78)
        }
    }
}
