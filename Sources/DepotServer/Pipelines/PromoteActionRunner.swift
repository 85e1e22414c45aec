import DepotBuild
import DepotCore
import Foundation

/// Deploy/Promote: copies package versions between repositories of the pipeline's domain, as `POST .../copy` does.
struct PromoteActionRunner: PipelineActionRunner {
    let repositories: RepositoryService
    let packages: PackageService
    let formats: FormatRegistry

    func run(_ job: PipelineJob) async -> PipelineJobOutcome {
        guard let promote = PromoteConfiguration(job.invocation.configuration) else {
            return .failed("Format, Package, Versions, SourceRepository and DestinationRepository must be valid")
        }
        do {
            let source = try await repositories.repository(domain: job.domain, name: promote.sourceRepository)
            let destination = try await repositories.repository(domain: job.domain, name: promote.destinationRepository)
            let display = promote.namespace.map { namespace in
                promote.format == "npm" ? "@\(namespace.trimmingCharacters(in: ["@"]))/\(promote.package)" : "\(namespace):\(promote.package)"
            } ?? promote.package
            let key = try formats.format(promote.format).packageKey(fromDisplayName: display)
            let result = try await packages.copy(key: key, versions: promote.versions, from: source, to: destination)
            let place = "\(promote.sourceRepository) -> \(promote.destinationRepository)"
            guard result.failed.isEmpty else {
                let reasons = result.failed.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.message)" }.joined(separator: "; ")
                return .failed("cannot promote \(display) \(place): \(reasons)")
            }
            return PipelineJobOutcome(
                result: .succeeded(
                    outputVariables: ["Versions": result.copied.joined(separator: ","), "Package": display],
                    summary: "promoted \(display) \(result.copied.joined(separator: ", ")) \(place)"),
                externalLink: "\(promote.destinationRepository)/\(display)")
        } catch {
            return .failed("\(error)")
        }
    }
}
