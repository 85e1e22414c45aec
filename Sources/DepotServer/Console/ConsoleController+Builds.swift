import DepotBuild
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird
import ServiceLifecycle

/// Build pages: the domain's builds, one build (phases, durations, reports with failing cases, artifacts) with its
/// log following live over Server-Sent Events, and artifact downloads.
extension ConsoleController {
    @Sendable func builds(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let domain = try Self.parameter(context, "domain")
            try policy.authorize(caller.identity, .read, on: .domain(domain))
            guard let log = buildLog else { throw DepotError.notFound("builds are not available") }
            let page = try await log.store.listBuilds(
                domain: domain, project: nil, repositories: caller.identity?.scope.repositories, page: PageRequest(limit: 100))
            var repositoryOf: [String: String] = [:]
            for name in Set(page.items.map(\.project)) { repositoryOf[name] = try await log.store.project(domain: domain, name: name)?.repository }
            let rows: [[String: Any]] = page.items
                .filter { policy.permits(caller.identity, .read, on: .build(domain: domain, repository: repositoryOf[$0.project])) }
                .map { build in
                    [
                        "id": build.id, "project": build.project, "number": build.number, "status": build.status,
                        "queued": Self.time(build.queuedAt), "href": "/ui/domains/\(Self.segment(domain))/builds/\(Self.segment(build.id))",
                    ]
                }
            return render(
                "builds", caller: caller, title: "Builds of \(domain)",
                crumbs: [("Domains", "/ui/"), (domain, "/ui/domains/\(Self.segment(domain))")], ["domain": domain, "builds": rows])
        }
    }

    @Sendable func build(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, build, log) = try await openBuild(context, caller)
            let base = "/ui/domains/\(Self.segment(domain))/builds/\(Self.segment(build.id))"
            let result = ConsoleBuildLog.result(of: build)
            let running = !ConsoleBuildLog.ended.contains(build.status)
            let text = String(decoding: try await log.text(of: build, limit: 1 << 20), as: UTF8.self)
            return render(
                "build", caller: caller, title: "Build \(build.id)",
                crumbs: [("Domains", "/ui/"), (domain, "/ui/domains/\(Self.segment(domain))"), ("Builds", "/ui/domains/\(Self.segment(domain))/builds")],
                [
                    "id": build.id, "project": build.project, "status": build.status, "initiator": build.initiator,
                    "queued": Self.time(build.queuedAt), "started": build.startedAt.map(Self.time) ?? "",
                    "ended": build.endedAt.map(Self.time) ?? "", "running": running, "message": result?.message ?? "",
                    "phases": (result?.phases ?? []).map { phase in
                        ["name": phase.phase.rawValue, "status": phase.status.rawValue, "seconds": String(format: "%.1f", phase.durationSeconds)]
                    },
                    "reports": (result?.reports ?? []).map { report in
                        [
                            "group": report.group, "total": report.total, "passed": report.passed, "failed": report.failed,
                            "skipped": report.skipped,
                            "failures": report.failures.map { ["name": "\($0.suite) / \($0.name)", "message": $0.message] },
                        ] as [String: Any]
                    },
                    "artifacts": (result?.artifacts ?? []).map { artifact in
                        [
                            "name": artifact.name, "size": Self.size(artifact.size), "sha256": artifact.sha256,
                            "href": "\(base)/artifacts/\(Self.segment(artifact.name))",
                        ]
                    },
                    "log": text, "events": "\(base)/events",
                ])
        }
    }

    @Sendable func buildEvents(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (domain, build, log) = try await openBuild(context, caller)
            let events = log.events(domain: domain, buildID: build.id)
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    // The server's shutdown waits for open responses: this one ends then, not with the build.
                    for try await event in events.cancelOnGracefulShutdown() { try await writer.write(ByteBuffer(string: event)) }
                    try await writer.finish(nil)
                })
        }
    }

    @Sendable func buildArtifact(_ request: Request, context: DepotRequestContext) async throws -> Response {
        await page(request, context) { caller in
            let (_, build, log) = try await openBuild(context, caller)
            let name = try Self.parameter(context, "name")
            guard let artifact = ConsoleBuildLog.result(of: build)?.artifacts.first(where: { $0.name == name }),
                let reader = try log.blobs.openReader(sha256: artifact.sha256)
            else { throw DepotError.notFound("build \(build.id) has no artifact \(name)", code: "ArtifactNotFound") }
            var headers = StoredFileHeaders.fields(contentType: "application/zip")
            headers[.contentDisposition] = "attachment; filename=\"\(name.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }).zip\""
            return BodyStreaming.response(for: reader, headers: headers)
        }
    }

    /// The build if the caller may read its project's repository: 403 before 404, as in the API.
    func openBuild(_ context: DepotRequestContext, _ caller: ConsoleCaller) async throws -> (String, StoredBuild, ConsoleBuildLog) {
        let domain = try Self.parameter(context, "domain")
        let id = try Self.parameter(context, "id")
        try policy.authorize(caller.identity, .read, on: .domain(domain))
        guard let log = buildLog else { throw DepotError.notFound("builds are not available") }
        let build = try await log.store.build(domain: domain, id: id)
        let project = if let build { try await log.store.project(domain: domain, name: build.project) } else { BuildProject?.none }
        try policy.authorize(caller.identity, .read, on: .build(domain: domain, repository: project?.repository))
        guard let build else { throw DepotError.notFound("build '\(id)' not found", code: "BuildNotFound") }
        return (domain, build, log)
    }
}
