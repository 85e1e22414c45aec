import Foundation
import Testing

/// A private CA and server certificates for 127.0.0.1/localhost, made with `openssl` for one test.
struct TestCertificateAuthority {
    let directory: URL
    var caCertificate: URL { directory.appendingPathComponent("ca.pem") }
    var caKey: URL { directory.appendingPathComponent("ca.key") }

    init(in root: URL) throws {
        directory = root.appendingPathComponent("tls")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=Depot Test CA", "-keyout", caKey.path, "-out", caCertificate.path,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    /// Issues a server certificate (`name`.pem and `name`.key) with the given serial (hex) and common name.
    func issue(_ name: String, serial: String, commonName: String) throws -> (certificate: URL, key: URL) {
        let certificate = directory.appendingPathComponent("\(name).pem")
        let key = directory.appendingPathComponent("\(name).key")
        let request = directory.appendingPathComponent("\(name).csr")
        let extensions = directory.appendingPathComponent("\(name).ext")
        try Data(
            """
            subjectAltName=IP:127.0.0.1,DNS:localhost
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=serverAuth
            subjectKeyIdentifier=hash
            authorityKeyIdentifier=keyid

            """.utf8
        ).write(to: extensions)
        try Self.openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=\(commonName)",
            "-keyout", key.path, "-out", request.path,
        ])
        try Self.openssl([
            "x509", "-req", "-in", request.path, "-CA", caCertificate.path, "-CAkey", caKey.path, "-set_serial", "0x\(serial)",
            "-days", "2", "-extfile", extensions.path, "-out", certificate.path,
        ])
        return (certificate, key)
    }

    /// A PKCS#12 truststore holding the CA, for Java (`-Djavax.net.ssl.trustStore`).
    func javaTrustStore() throws -> URL {
        let store = directory.appendingPathComponent("truststore.p12")
        try? FileManager.default.removeItem(at: store)
        let made = try Command.run(
            "keytool", [
                "-importcert", "-noprompt", "-alias", "depot-test-ca", "-file", caCertificate.path, "-keystore", store.path,
                "-storetype", "PKCS12", "-storepass", "changeit",
            ])
        try #require(made.succeeded, "keytool: \(made.output)")
        return store
    }

    @discardableResult
    static func openssl(_ arguments: [String]) throws -> CommandResult {
        let result = try Command.run("openssl", arguments)
        try #require(result.succeeded, "openssl \(arguments.joined(separator: " ")): \(result.output)")
        return result
    }
}

extension Workspace {
    /// Starts `depot serve --tls-cert --tls-key` with a server certificate of `authority`; every `depot` client
    /// call trusts the CA through DEPOT_CA_CERT.
    func startTLSServer(_ authority: TestCertificateAuthority, environment: [String: String] = [:]) throws {
        let issued = try authority.issue("server", serial: "1001", commonName: "depot-first")
        server.serveArguments = ["--tls-cert", issued.certificate.path, "--tls-key", issued.key.path]
        server.clientEnvironment = ["DEPOT_CA_CERT": authority.caCertificate.path]
        try server.start(environment: environment)
        #expect(server.url.hasPrefix("https://127.0.0.1:"), "ready line: \(server.url)")
        for arguments in [["domain", "create", "acme"], ["repo", "create", "--domain", "acme", "main", "--description", "tls e2e"]] {
            let result = try server.cli(arguments)
            try #require(result.succeeded, "depot \(arguments.joined(separator: " ")): \(result.output)")
        }
    }

    /// curl trusting the test CA; `arguments` come before the URL.
    func tlsCurl(_ authority: TestCertificateAuthority, _ arguments: [String], path: String = "/healthz") throws -> CommandResult {
        try Command.run("curl", ["-sS", "--max-time", "30", "--cacert", authority.caCertificate.path] + arguments + [server.url + path], timeout: 40)
    }

    /// Serial number (hex, upper case) of the certificate a new TLS connection to the server is given.
    func presentedSerial() throws -> String? {
        let port = String(server.url.split(separator: ":").last ?? "")
        let handshake = try Command.run(
            "sh", ["-c", "openssl s_client -connect 127.0.0.1:\(port) -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -serial"],
            timeout: 30)
        guard let line = handshake.stdout.split(separator: "\n").first(where: { $0.hasPrefix("serial=") }) else { return nil }
        return String(line.dropFirst("serial=".count)).uppercased()
    }
}

/// Depot on TLS (`--tls-cert`/`--tls-key`) with a CA made in the test: npm, twine + pip and mvn each told to trust
/// the CA, `depot login` writing https URLs, HTTP/2 negotiated by ALPN, and a certificate reload on SIGHUP.
@Suite("TLS")
struct TLSTests {
    @Test("npm publish and install over https, with npm trusting the test CA")
    func npmOverTLS() throws {
        let ws = try Workspace()
        let authority = try TestCertificateAuthority(in: ws.root)
        try ws.startTLSServer(authority)
        let login = try ws.server.cli(["login", "--tool", "npm", "--domain", "acme", "--repo", "main"], environment: ["HOME": ws.home.path])
        try #require(login.succeeded, "\(login.output)")
        let npmrc = try String(contentsOf: ws.home.appendingPathComponent(".npmrc"), encoding: .utf8)
        let hostPort = ws.server.url.replacingOccurrences(of: "https://", with: "")
        #expect(npmrc.contains("registry=https://\(hostPort)/acme/main/npm/"), "\(npmrc)")
        #expect(npmrc.contains("//\(hostPort)/acme/main/npm/:_authToken=dpt_"), "\(npmrc)")

        var environment = ws.npmEnvironment()
        environment["npm_config_cafile"] = authority.caCertificate.path
        let library = try ws.makePackage("depot-tls-lib", version: "1.0.0", body: "module.exports = () => 'tls';\n")
        let published = try Command.run("npm", ["publish"], in: library, environment: environment)
        #expect(published.succeeded, "\(published.output)")
        let project = try ws.directory("project")
        try Command.run("npm", ["init", "-y"], in: project, environment: environment)
        let installed = try Command.run("npm", ["install", "depot-tls-lib@1.0.0"], in: project, environment: environment)
        #expect(installed.succeeded, "\(installed.output)")
        let run = try Command.run("node", ["-e", "console.log(require('depot-tls-lib')())"], in: project)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "tls", "\(run.output)")
        // Tarball URLs in the packument are https too: the lockfile records them.
        let lock = try String(contentsOf: project.appendingPathComponent("package-lock.json"), encoding: .utf8)
        #expect(lock.contains("\"resolved\": \"https://\(hostPort)/acme/main/npm/depot-tls-lib/-/depot-tls-lib-1.0.0.tgz\""), "\(lock)")
        #expect(!ws.server.log.contains("dpt_"))
    }

    @Test("twine upload and pip install over https, with both trusting the test CA")
    func pythonOverTLS() throws {
        let tools = PythonTools.shared
        try #require(tools.available, tools.missingMessage)
        let ws = try Workspace()
        let authority = try TestCertificateAuthority(in: ws.root)
        try ws.startTLSServer(authority)
        let ca = authority.caCertificate.path
        for tool in ["twine", "pip"] {
            var environment = ["DEPOT_CA_CERT": ca]
            if tool == "pip" { environment["PIP_CONFIG_FILE"] = ws.pipConfigFile.path }
            let login = try ws.depotLogin(tool: tool, environment: environment)
            try #require(login.succeeded, "depot login --tool \(tool): \(login.output)")
        }
        let hostPort = ws.serverHostPort
        let pypirc = try String(contentsOf: ws.pypirc, encoding: .utf8)
        #expect(pypirc.contains("repository = https://\(hostPort)/acme/main/pypi/"), "\(pypirc)")
        let pipConf = try String(contentsOf: ws.pipConfigFile, encoding: .utf8)
        #expect(pipConf.range(of: #"index-url\s*=\s*https://depot:dpt_[A-Za-z0-9_\-]+@"# + NSRegularExpression.escapedPattern(for: hostPort), options: .regularExpression) != nil, "\(pipConf)")

        let project = try ws.makePythonProject("depot-tls-core", version: "1.0.0", source: "def hello():\n    return 'tls'\n")
        let files = try ws.buildDistributions(project)
        // requests lets REQUESTS_CA_BUNDLE (set machine-wide on some hosts) override --cert: point it at the CA as well.
        let trust = ["PIP_CERT": ca, "REQUESTS_CA_BUNDLE": ca]
        let upload = try ws.runPython(tools.twine, ["upload", "--verbose", "--cert", ca, "-r", "depot"] + files.map(\.path), environment: trust)
        #expect(upload.succeeded, "\(upload.output)")
        let venv = try ws.makeVenv("venv-tls")
        let install = try ws.pip(venv, ["install", "depot-tls-core==1.0.0"], environment: trust)
        #expect(install.succeeded, "\(install.output)")
        #expect(try ws.installedVersion(venv, "depot-tls-core") == "1.0.0")
        // Trusting another CA, pip refuses the server: trust really comes from the CA file.
        let other = try TestCertificateAuthority(in: ws.root.appendingPathComponent("other")).caCertificate.path
        let untrusted = try ws.pip(
            ws.makeVenv("venv-untrusted"), ["install", "--retries", "0", "--no-cache-dir", "depot-tls-core==1.0.0"],
            environment: ["PIP_CERT": other, "REQUESTS_CA_BUNDLE": other])
        let refusal = untrusted.output.lowercased()
        #expect(!untrusted.succeeded && (refusal.contains("certificate_verify_failed") || refusal.contains("certificate verify failed")), "\(untrusted.output)")
    }

    @Test("mvn deploy and a resolve over https, with Java trusting a truststore made from the test CA")
    func mavenOverTLS() throws {
        let tools = MavenTools.shared
        try #require(tools.available, tools.missingMessage)
        let ws = try Workspace()
        let authority = try TestCertificateAuthority(in: ws.root)
        try ws.startTLSServer(authority)
        let login = try ws.depotLogin(tool: "maven", environment: ["DEPOT_CA_CERT": authority.caCertificate.path])
        try #require(login.succeeded, "depot login --tool maven: \(login.output)")
        let repoURL = ws.mavenURL()
        #expect(repoURL.hasPrefix("https://"))
        let settings = try String(contentsOf: ws.mavenUserSettings, encoding: .utf8)
        #expect(settings.contains("<url>\(repoURL)</url>"), "\(settings)")

        // Maven copies -D options into Java's system properties before the first TLS connection.
        let trust = ["-Djavax.net.ssl.trustStore=\(try authority.javaTrustStore().path)", "-Djavax.net.ssl.trustStorePassword=changeit"]
        let group = "com.example.tls"
        let library = try ws.makeMavenProject(
            directory: "lib", groupId: group, artifactId: "depot-tls-lib", version: "1.0.0", deployURL: repoURL,
            files: ["src/main/java/com/example/tls/Lib.java": "package com.example.tls;\n\npublic final class Lib {\n    public static String name() { return \"tls\"; }\n}\n"])
        let deployed = try ws.mvn(trust + ["deploy"], in: library, localRepository: "m2-lib")
        try #require(deployed.succeeded, "mvn deploy:\n\(ws.tail(deployed))")
        #expect(deployed.output.contains("Uploaded to depot: \(repoURL)com/example/tls/depot-tls-lib/1.0.0/depot-tls-lib-1.0.0.jar"), "\(ws.tail(deployed))")

        let app = try ws.makeMavenProject(
            directory: "app", groupId: "com.example.app", artifactId: "depot-tls-app", version: "1.0",
            dependencies: [MavenDependency(groupId: group, artifactId: "depot-tls-lib", version: "1.0.0")],
            files: ["src/main/java/com/example/app/Main.java": "package com.example.app;\n\npublic final class Main {\n    public static void main(String[] args) { System.out.println(com.example.tls.Lib.name()); }\n}\n"])
        let resolved = try ws.mvn(trust + ["package"], in: app, localRepository: "m2-app")
        try #require(resolved.succeeded, "mvn package:\n\(ws.tail(resolved))")
        #expect(resolved.output.contains("Downloaded from depot: \(repoURL)com/example/tls/depot-tls-lib/1.0.0/depot-tls-lib-1.0.0.jar"), "\(ws.tail(resolved))")
    }

    @Test("HTTP/2 and HTTP/1.1 are both offered by ALPN; plain HTTP on the TLS port gets nothing")
    func http2() throws {
        let ws = try Workspace()
        let authority = try TestCertificateAuthority(in: ws.root)
        try ws.startTLSServer(authority)
        let h2 = try ws.tlsCurl(authority, ["--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}"])
        #expect(h2.stdout == "2 200", "\(h2.output)")
        // HTTP/2 streams have no edge cache, and the mark a route gives a repeatable answer never reaches them.
        let h2Head = try ws.tlsCurl(authority, ["--http2", "-D", "-", "-o", "/dev/null"])
        #expect(h2Head.stdout.hasPrefix("HTTP/2 200") && !h2Head.stdout.lowercased().contains("x-depot-edge-cache"), "\(h2Head.output)")
        let h1 = try ws.tlsCurl(authority, ["--http1.1", "-o", "/dev/null", "-w", "%{http_version} %{http_code}"])
        #expect(h1.stdout == "1.1 200", "\(h1.output)")
        // HTTP/1.1 over TLS has the edge cache too: the answer kept from the request above serves both of these.
        func edgeHits() throws -> Int {
            let metrics = try ws.tlsCurl(authority, ["--http2"], path: "/metrics").stdout
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("depot_edge_cache_hits_total ") }
            return line.flatMap { Double($0.split(separator: " ")[1]) }.map { Int($0) } ?? 0
        }
        let hitsBefore = try edgeHits()
        let twice = try ws.tlsCurl(
            authority, ["--http1.1", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\n", ws.server.url + "/healthz", "-o", "/dev/null"])
        #expect(twice.stdout == "200 1\n200 0\n", "\(twice.output)")
        let hitsAfter = try edgeHits()
        #expect(hitsAfter == hitsBefore + 2, "edge cache hits \(hitsBefore) -> \(hitsAfter)")
        // An authenticated API call over HTTP/2 (the CLI's own client speaks HTTP/1.1 or 2 as offered).
        let listed = try ws.tlsCurl(
            authority, ["--http2", "-H", "Authorization: Bearer \(ws.server.adminToken)", "-w", "\n%{http_version}"], path: "/api/v1/domains")
        #expect(listed.stdout.contains("acme") && listed.stdout.hasSuffix("\n2"), "\(listed.output)")
        let plain = try Command.run(
            "curl", ["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", ws.server.url.replacingOccurrences(of: "https://", with: "http://") + "/healthz"])
        #expect(plain.stdout != "200", "plain HTTP must not be answered on the TLS port: \(plain.output)")
        // A client that does not trust the CA is refused by its own verification.
        let untrusted = try Command.run("curl", ["-sS", "--max-time", "10", "-o", "/dev/null", ws.server.url + "/healthz"])
        #expect(!untrusted.succeeded, "\(untrusted.output)")
        #expect(!ws.server.log.contains("tokens and Basic passwords cross the network in clear"))
    }

    @Test("a connection that never finishes its TLS handshake is closed by the server (10 s)")
    func handshakeDeadline() throws {
        let ws = try Workspace()
        let authority = try TestCertificateAuthority(in: ws.root)
        try ws.startTLSServer(authority)
        let port = String(ws.server.url.split(separator: ":").last ?? "")
        // Half a ClientHello's worth of nothing: connect, send no byte, wait for the server to hang up (cat ends).
        let started = Date()
        let idle = try Command.run("timeout", ["40", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/\(port); cat <&3"], timeout: 60)
        #expect(idle.status == 0, "the server kept a handshake-less connection open: \(idle.output)")
        #expect(Date().timeIntervalSince(started) >= 5, "closed before the deadline")
        let health = try ws.tlsCurl(authority, ["-o", "/dev/null", "-w", "%{http_code}"])
        #expect(health.stdout == "200", "\(health.output)")
    }

    @Test("SIGHUP reloads the certificate for new connections; a broken file keeps the previous one")
    func reloadOnSIGHUP() throws {
        let ws = try Workspace()
        let authority = try TestCertificateAuthority(in: ws.root)
        try ws.startTLSServer(authority)
        #expect(try ws.presentedSerial() == "1001")

        // Renew: new files in place (as certbot does), then SIGHUP.
        let renewed = try authority.issue("renewed", serial: "2002", commonName: "depot-renewed")
        let current = authority.directory
        try FileManager.default.removeItem(at: current.appendingPathComponent("server.pem"))
        try FileManager.default.removeItem(at: current.appendingPathComponent("server.key"))
        try FileManager.default.copyItem(at: renewed.certificate, to: current.appendingPathComponent("server.pem"))
        try FileManager.default.copyItem(at: renewed.key, to: current.appendingPathComponent("server.key"))
        ws.server.send(signal: SIGHUP)
        #expect(try waitUntil { try ws.presentedSerial() == "2002" }, "the renewed certificate was not served:\n\(ws.server.log.suffix(2000))")
        #expect(ws.server.log.contains("reloaded the TLS certificate"))
        let subject = try Command.run(
            "sh", ["-c", "curl -sS -v --cacert \(authority.caCertificate.path) -o /dev/null \(ws.server.url)/healthz 2>&1 | grep -i 'subject:'"])
        #expect(subject.stdout.contains("CN=depot-renewed"), "\(subject.output)")

        // A broken certificate file: the reload fails, is logged, and the renewed certificate stays.
        try Data("not a certificate\n".utf8).write(to: current.appendingPathComponent("server.pem"))
        ws.server.send(signal: SIGHUP)
        #expect(try waitUntil { ws.server.log.contains("TLS certificate not reloaded") }, "\(ws.server.log.suffix(2000))")
        #expect(try ws.presentedSerial() == "2002")
        let health = try ws.tlsCurl(authority, ["-o", "/dev/null", "-w", "%{http_code}"])
        #expect(health.stdout == "200", "\(health.output)")
    }

    @Test("depot build run against the https server hands the CA to the build's clients (npm publish, curl)")
    func buildOverTLS() throws {
        let ws = try Workspace()
        let authority = try TestCertificateAuthority(in: ws.root)
        try ws.startTLSServer(authority)
        let source = try httpsPublishingProject(ws, "depot-tls-built")
        let output = ws.root.appendingPathComponent("build-out")
        let built = try ws.server.cli(
            ["build", "run", "--source", source.path, "--domain", "acme", "--repo", "main", "--artifacts-dir", output.path,
             "--cache-dir", ws.root.appendingPathComponent("build-cache").path],
            environment: ["HOME": ws.home.path])
        #expect(built.succeeded, "\(built.output)")
        let versions = try ws.server.cli(["package", "versions", "--domain", "acme", "--repo", "main", "--format", "npm", "depot-tls-built"])
        #expect(versions.stdout.contains("1.0.0"), "\(versions.output)")
    }

    @Test("a server build on the https server trusts the CA of server.tls.caCertificate (curl, npm publish, in the sandbox)")
    func serverBuildOverTLS() throws {
        let ws = try Workspace()
        let authority = try TestCertificateAuthority(in: ws.root)
        try ws.startTLSServer(authority, environment: ["DEPOT_TLS_CA_CERT": authority.caCertificate.path])
        let source = try httpsPublishingProject(ws, "depot-tls-server-built")
        let created = try ws.server.cli(["build", "create-project", "--domain", "acme", "tls-app", "--repo", "main", "--source-dir", source.path])
        #expect(created.succeeded, "\(created.output)")
        let built = try ws.server.cli(["build", "start", "--domain", "acme", "--project", "tls-app", "--follow"])
        #expect(built.succeeded, "\(built.output)")
        let versions = try ws.server.cli(["package", "versions", "--domain", "acme", "--repo", "main", "--format", "npm", "depot-tls-server-built"])
        #expect(versions.stdout.contains("1.0.0"), "\(versions.output)")
    }

    /// An npm package whose buildspec checks it was given https URLs, reaches Depot with curl and publishes itself.
    func httpsPublishingProject(_ ws: Workspace, _ name: String) throws -> URL {
        let source = try ws.directory("src-\(name)")
        let files = [
            "package.json": #"{"name":"\#(name)","version":"1.0.0","main":"index.js","license":"MIT"}"#,
            "index.js": "module.exports = 1;\n",
            "buildspec.yml": """
                version: 0.2
                phases:
                  build:
                    commands:
                      - case "$DEPOT_NPM_REGISTRY" in https://*) ;; *) exit 3;; esac
                      - curl -sSf "$DEPOT_URL/healthz"
                      - npm publish
                """,
        ]
        for (file, text) in files { try Data(text.utf8).write(to: source.appendingPathComponent(file)) }
        return source
    }

    /// Polls `condition` until it holds or `seconds` pass.
    func waitUntil(seconds: Double = 30, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }
}
