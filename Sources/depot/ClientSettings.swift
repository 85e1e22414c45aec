import Foundation

/// Where a client command sends its requests and with which token, resolved per setting:
/// flag > environment (DEPOT_URL, DEPOT_TOKEN, DEPOT_CA_CERT) > the selected profile > the local fallbacks.
struct ClientSettings: Sendable, Equatable {
    static let defaultURL = "http://127.0.0.1:8080"
    static let localAdminToken = "storage/admin.token"

    var url: String
    var token: String?
    /// Where the token came from, for a 401's hint (the token itself is never shown).
    var tokenOrigin: String?
    var caCertificate: String?

    /// - Parameters:
    ///   - flags: what the command line gave.
    ///   - profileName: `--profile`; else DEPOT_PROFILE; else the `default` profile when it exists.
    static func resolve(flags: CLIProfile, profileName: String?, environment: [String: String]) throws -> ClientSettings {
        // An empty variable counts as unset, so `DEPOT_TOKEN= depot ...` falls through to the profile.
        let env = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let store = ProfileStore(environment: environment)
        var profile: CLIProfile?
        var origin = ""
        if let name = profileName ?? env("DEPOT_PROFILE") {
            guard let found = try store.load()[name] else {
                throw ClientError.usage(
                    "no profile '\(name)' in \(store.path) (create it with: depot configure --profile \(name) --url URL --token TOKEN)")
            }
            (profile, origin) = (found, "profile '\(name)'")
        } else if let found = try store.load()["default"] {
            (profile, origin) = (found, "profile 'default'")
        }
        if profile != nil, store.isReadableByOthers {
            FileHandle.standardError.write(Data("depot: warning: \(store.path) is readable by others; run chmod 600 on it\n".utf8))
        }

        let url = flags.url ?? env("DEPOT_URL") ?? profile?.url ?? defaultURL
        var settings = ClientSettings(url: url, caCertificate: flags.caCertificate ?? env("DEPOT_CA_CERT") ?? profile?.caCertificate)
        if let token = flags.token {
            (settings.token, settings.tokenOrigin) = (token, "--token")
        } else if let token = env("DEPOT_TOKEN") {
            (settings.token, settings.tokenOrigin) = (token, "DEPOT_TOKEN")
        } else if let token = profile?.token {
            (settings.token, settings.tokenOrigin) = (token, origin)
        } else if isLocal(url), let token = readLocalAdminToken() {
            // Only for a server on this machine: the local admin token must never travel to another host.
            (settings.token, settings.tokenOrigin) = (token, "./\(localAdminToken)")
        }
        return settings
    }

    /// The server's base URL without a trailing slash, or a usage error naming the bad value.
    func baseURL() throws -> URL {
        let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
        guard let parsed = URL(string: trimmed), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            !(parsed.host ?? "").isEmpty
        else {
            throw ClientError.usage("invalid server URL '\(url)': expected http://HOST[:PORT] or https://HOST[:PORT]")
        }
        return parsed
    }

    static func isLocal(_ url: String) -> Bool {
        guard let host = URL(string: url)?.host?.lowercased() else { return false }
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    private static func readLocalAdminToken() -> String? {
        guard let text = try? String(contentsOfFile: localAdminToken, encoding: .utf8) else { return nil }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }
}
