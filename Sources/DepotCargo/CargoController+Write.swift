import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

extension CargoController {
    /// `PUT api/v1/crates/new`: the `.crate` streams into a blob writer while the body arrives; the JSON is kept
    /// (bounded), checked, and becomes the version's index line with the `.crate`'s SHA-256 as `cksum`.
    func publish(request: Request, target: Target) async throws -> Response {
        let bodyLimits = CargoPublishBody.Limits(maxJSON: min(maxUploadSize, limits.maxJSONSize), maxCrate: maxUploadSize)
        // The two length prefixes and the JSON come on top of the largest .crate.
        let maxBody = maxUploadSize.addingReportingOverflow(bodyLimits.maxJSON + 8)
        let files = uploads.files()
        var body = CargoPublishBody(limits: bodyLimits) { try files.makeWriter() }
        try await uploads.receive(request, limit: maxBody.overflow ? Int.max : maxBody.partialValue) { chunk in
            try chunk.withUnsafeReadableBytes { try body.consume($0) }
        }
        let parts = try body.finish()
        let metadata = try CargoPublishMetadata(json: parts.json, limits: limits)
        let digests = try parts.writer.finish()
        try await ensureSameCrate(metadata.name, target: target)

        let entry = metadata.indexEntry(cksum: digests.sha256)
        var stored = entry
        stored.pubtime = Self.timestamp(Date())
        var new = NewVersion(
            key: metadata.name.key, version: metadata.version.identity,
            origin: VersionOrigin(type: .internal, repository: target.repository.name), publishedAt: Date(),
            summary: metadata.description.map { String($0.prefix(1000)) }, metadata: try stored.encoded(),
            assets: [Asset(name: CargoIndexFile.crateFileName(metadata.name, version: metadata.version), digests: digests)])
        new.properties = CargoVersionProperties.of(entry, name: metadata.name)
        try await uploads.publish(new, files: files, to: target.repository)
        let warnings: [String: Any] = ["invalid_categories": [String](), "invalid_badges": [String](), "other": [String]()]
        return Self.json(["warnings": warnings])
    }

    /// crates.io's uniqueness rule: names that differ only in case or in `-` versus `_` are one crate, and a crate
    /// keeps the spelling it was first published with (checked here; the twin rule is the store's).
    private func ensureSameCrate(_ name: CargoCrateName, target: Target) async throws {
        if let package = try await packages.package(in: target.repository, key: name.key),
            let first = try await packages.versions(of: package).lazy.compactMap({ try? CargoIndexEntry(data: $0.metadata) }).first,
            first.name != name.name
        {
            throw DepotError.badRequest("crate \(name) was published as \(first.name); use that name", code: "NameMismatch")
        }
        // A twin spelling (`-` versus `_`) is refused by the store inside the publish's own transaction (the crate's
        // identity is its canonical name), so two racing first publishes cannot both land: no check here.
    }

    /// `DELETE .../{version}/yank` and `PUT .../{version}/unyank`. Yanking is a flag in the version's index line
    /// (its status stays Published: a yanked crate is still downloaded by lockfiles that pin it, which Unlisted also
    /// allows but Archived does not).
    func setYanked(_ yanked: Bool, _ name: CargoCrateName, version: CargoVersion, target: Target) async throws -> Response {
        let package = try await requirePackage(name, in: target)
        _ = try await packages.setYanked(YankChange(yanked: yanked), of: version.identity, in: package)
        return Self.json(["ok": true])
    }

    /// `PUT`/`DELETE api/v1/crates/{name}/owners`: accepted and explained, since publishing rights come from tokens.
    func changeOwners(_ name: CargoCrateName, adding: Bool, request: Request, target: Target) async throws -> Response {
        _ = try await BodyStreaming.collect(request, limit: 64 * 1024)
        _ = try await requirePackage(name, in: target)
        let message = "Depot has no crate owners: anyone with a publish token for \(target.domain)/\(target.repository.name) "
            + "may publish \(name); nothing was \(adding ? "added" : "removed")"
        return Self.json(["ok": true, "msg": message])
    }

    static func timestamp(_ date: Date) -> String {
        var style = Date.ISO8601FormatStyle()
        style.timeZone = TimeZone(identifier: "UTC")!
        return date.formatted(style)
    }
}
