import Foundation

/// A PKCS#12 truststore of the JDK's roots plus a private CA, made with the JDK's `keytool`: Java ignores the PEM
/// bundles other clients read.
enum JavaTruststore {
    static let password = "changeit"

    /// The JDK's roots with the CA added at `truststore`; without a JDK (no Maven in the build) nothing is made.
    static func make(ca: URL, at truststore: URL) {
        guard let keytool = executable("keytool") else { return }
        try? FileManager.default.removeItem(at: truststore)
        let jdkRoots = URL(fileURLWithPath: keytool).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("lib/security/cacerts")
        if FileManager.default.fileExists(atPath: jdkRoots.path) {
            _ = run(keytool, [
                "-importkeystore", "-noprompt", "-srckeystore", jdkRoots.path, "-srcstorepass", password,
                "-destkeystore", truststore.path, "-deststoretype", "PKCS12", "-deststorepass", password,
            ])
        }
        let imported = run(keytool, [
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
