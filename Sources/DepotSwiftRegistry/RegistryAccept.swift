import DepotCore

/// What a registry endpoint serves, as the `+json`, `+zip` and `+swift` suffixes of the registry's media type name it.
enum RegistryMediaType: String, Sendable {
    case json, zip, swift
}

/// The `Accept` negotiation of the registry spec (§3.5): `application/vnd.swift.registry[.v{version}][+{type}]`.
/// Only API version 1 exists, so any other version (or one that is not a number) is a 400; a registry media type of
/// another kind than the endpoint serves is a 406. Other media ranges (`*/*`, `application/json`, none at all) get
/// version 1, which the spec allows.
enum RegistryAccept {
    static let prefix = "application/vnd.swift.registry"

    enum Outcome: Equatable {
        case accepted
        case invalidVersion(String)
        case notAcceptable
    }

    static func evaluate(_ header: String?, serving type: RegistryMediaType) -> Outcome {
        guard let header, !header.isEmpty else { return .accepted }
        var sawRegistryType = false
        var accepted = false
        for range in header.split(separator: ",") {
            let mediaType = (range.split(separator: ";", maxSplits: 1).first ?? "").trimmingBlanks().lowercased()
            guard mediaType.hasPrefix(prefix) else {
                if !mediaType.isEmpty { accepted = true }
                continue
            }
            sawRegistryType = true
            var rest = Substring(mediaType.dropFirst(prefix.count))
            var suffix: Substring?
            if let plus = rest.firstIndex(of: "+") {
                suffix = rest[rest.index(after: plus)...]
                rest = rest[..<plus]
            }
            if !rest.isEmpty {
                guard rest.hasPrefix(".v") else { return .invalidVersion(String(rest.prefix(32))) }
                let version = rest.dropFirst(2)
                guard version == "1" else { return .invalidVersion(String(version.prefix(32))) }
            }
            if suffix == nil || suffix == Substring(type.rawValue) { accepted = true }
        }
        return accepted || !sawRegistryType ? .accepted : .notAcceptable
    }

    /// Throws the spec's answer for a request this endpoint cannot serve.
    static func require(_ header: String?, serving type: RegistryMediaType) throws {
        switch evaluate(header, serving: type) {
        case .accepted:
            return
        case .invalidVersion(let version):
            throw DepotError.badRequest(
                version.isEmpty ? "invalid API version" : "invalid API version '\(version)': this registry speaks version 1",
                code: "InvalidAPIVersion")
        case .notAcceptable:
            throw DepotError(.notAcceptable, code: "NotAcceptable", "this endpoint serves \(prefix).v1+\(type.rawValue)")
        }
    }
}
