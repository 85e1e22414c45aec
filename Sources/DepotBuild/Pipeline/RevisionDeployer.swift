import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Applies an AppSpec to a target directory as CodeDeploy's agent does an in-place deployment: ApplicationStop
/// from the previous revision, BeforeInstall, install (copy the files into `revisions/<id>/`, then switch the
/// `current` link atomically), AfterInstall, ApplicationStart, ValidateService. A hook failing after the switch
/// puts `current` back on the previous revision, atomically too.
public struct RevisionDeployer: Sendable {
    /// Revisions (and bundles) kept besides the current one, as CodeDeploy's agent keeps 5.
    public static let revisionsKept = 5
    static let currentLink = "current"
    static let revisionsDirectory = "revisions"
    static let bundlesDirectory = "bundles"

    public var hookRunner: any LifecycleHookRunner

    public init(hookRunner: any LifecycleHookRunner) {
        self.hookRunner = hookRunner
    }

    public func deploy(_ deployment: RevisionDeployment) async throws(RevisionDeploymentError) -> RevisionDeploymentResult {
        let fileManager = FileManager.default
        guard PipelineLimits.isName(deployment.deploymentId) else { throw RevisionDeploymentError("'\(deployment.deploymentId)' is not a valid deployment id") }
        guard AppSpecPath.isRelative(deployment.appSpecPath) else { throw RevisionDeploymentError("the AppSpec path must be inside the bundle") }
        let spec = try Self.loadAppSpec(bundle: deployment.bundleDirectory, path: deployment.appSpecPath)
        let target = deployment.targetDirectory
        let revision = target.appendingPathComponent(Self.revisionsDirectory).appendingPathComponent(deployment.deploymentId)
        let bundle = target.appendingPathComponent(Self.bundlesDirectory).appendingPathComponent(deployment.deploymentId)
        guard !fileManager.fileExists(atPath: revision.path), !fileManager.fileExists(atPath: bundle.path) else {
            throw RevisionDeploymentError("deployment \(deployment.deploymentId) has been installed in \(target.path) already")
        }
        let previous = Self.currentDeploymentId(in: target)
        var result = RevisionDeploymentResult(hooks: [], failure: nil, previousDeploymentId: previous, rolledBack: false)

        // ApplicationStop runs the previous revision's scripts: the new bundle's may not know how to stop the old one.
        if let previous {
            let previousBundle = target.appendingPathComponent(Self.bundlesDirectory).appendingPathComponent(previous)
            let previousRevision = target.appendingPathComponent(Self.revisionsDirectory).appendingPathComponent(previous)
            if let previousSpec = try? Self.loadAppSpec(bundle: previousBundle, path: Self.appSpecName(in: previousBundle) ?? deployment.appSpecPath),
                !(await runHooks(.applicationStop, previousSpec, bundle: previousBundle, revision: previousRevision, deployment, &result))
            {
                return result
            }
        }
        // Before the switch nothing of this deployment is kept on failure.
        let discard = {
            try? fileManager.removeItem(at: revision)
            try? fileManager.removeItem(at: bundle)
            try? fileManager.removeItem(at: bundle.appendingPathExtension("appspec"))
        }
        do {
            try fileManager.createDirectory(at: bundle.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fileManager.copyItem(at: deployment.bundleDirectory, to: bundle)
            try Data(deployment.appSpecPath.utf8).write(to: bundle.appendingPathExtension("appspec"))
        } catch {
            discard()
            result.failure = .init(event: nil, message: "cannot copy the bundle: \(error.localizedDescription)")
            return result
        }
        guard await runHooks(.beforeInstall, spec, bundle: bundle, revision: revision, deployment, &result) else {
            discard()
            return result
        }
        do {
            try Self.install(spec, from: bundle, into: revision)
            try Self.switchCurrent(in: target, to: deployment.deploymentId)
        } catch {
            discard()
            result.failure = .init(event: nil, message: "cannot install the revision: \(error)")
            return result
        }
        for event in [LifecycleEventName.afterInstall, .applicationStart, .validateService] {
            guard await runHooks(event, spec, bundle: bundle, revision: revision, deployment, &result) else {
                result.rolledBack = Self.rollBack(in: target, to: previous)
                return result
            }
        }
        Self.prune(target, keeping: [deployment.deploymentId] + (previous.map { [$0] } ?? []))
        return result
    }

    /// Runs the event's scripts in order; false (with the failure recorded) at the first that does not succeed.
    private func runHooks(
        _ event: LifecycleEventName, _ spec: AppSpec, bundle: URL, revision: URL, _ deployment: RevisionDeployment,
        _ result: inout RevisionDeploymentResult
    ) async -> Bool {
        for hook in spec.hooks[event] ?? [] {
            let script = bundle.appendingPathComponent(hook.location)
            let hookResult: LifecycleHookResult
            if !Self.isInside(script, bundle) || !FileManager.default.fileExists(atPath: script.path) {
                hookResult = LifecycleHookResult(status: .error("it is not in the revision bundle"))
            } else {
                let environment = [
                    "LIFECYCLE_EVENT": event.rawValue, "DEPLOYMENT_ID": deployment.deploymentId, "APPLICATION_NAME": deployment.applicationName,
                    "DEPLOYMENT_GROUP_NAME": deployment.deploymentGroupName, "DEPOT_REVISION_DIRECTORY": revision.path,
                    "DEPOT_TARGET_DIRECTORY": deployment.targetDirectory.path,
                ]
                hookResult = await hookRunner.run(
                    LifecycleHookInvocation(
                        event: event, script: script, workingDirectory: bundle, environment: environment, timeout: .seconds(hook.timeoutSeconds),
                        runAs: hook.runAs, writableDirectories: [deployment.targetDirectory]))
            }
            result.hooks.append(.init(event: event, location: hook.location, result: hookResult))
            guard hookResult.status == .succeeded else {
                let why: String =
                    switch hookResult.status {
                    case .failed(let status): "exited with status \(status)"
                    case .timedOut: "timed out after \(hook.timeoutSeconds) seconds"
                    case .error(let message): "could not run: \(message)"
                    case .succeeded: ""
                    }
                result.failure = .init(event: event, message: "\(event.rawValue) script \(hook.location) \(why)")
                return false
            }
        }
        return true
    }

    static func loadAppSpec(bundle: URL, path: String) throws(RevisionDeploymentError) -> AppSpec {
        let file = bundle.appendingPathComponent(path)
        guard isInside(file, bundle) else { throw RevisionDeploymentError("\(path) leads out of the bundle") }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
            let size = attributes[.size] as? Int, size <= AppSpecParser.maxDocumentBytes,
            let data = FileManager.default.contents(atPath: file.path)
        else { throw RevisionDeploymentError("the bundle has no AppSpec file \(path) (or it is larger than \(AppSpecParser.maxDocumentBytes) bytes)") }
        do {
            return try AppSpecParser.parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw RevisionDeploymentError("\(path): \(error)")
        }
    }

    /// The AppSpec path a bundle was deployed with (kept next to it).
    private static func appSpecName(in bundle: URL) -> String? {
        (try? String(contentsOf: bundle.appendingPathExtension("appspec"), encoding: .utf8)).flatMap { AppSpecPath.isRelative($0) ? $0 : nil }
    }

    /// True when `url`, links resolved, is `directory` or inside it.
    static func isInside(_ url: URL, _ directory: URL) -> Bool {
        let root = directory.resolvingSymlinksInPath().standardizedFileURL.path
        let path = url.resolvingSymlinksInPath().standardizedFileURL.path
        return path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// Copies each `files` entry into a fresh revision directory.
    static func install(_ spec: AppSpec, from bundle: URL, into revision: URL) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: revision, withIntermediateDirectories: true)
        for file in spec.files {
            let source = file.source == "/" ? bundle : bundle.appendingPathComponent(file.source)
            guard isInside(source, bundle) else { throw RevisionDeploymentError("files source \(file.source) leads out of the bundle") }
            let destination = revision.appendingPathComponent(String(file.destination.drop { $0 == "/" }))
            try copy(source, to: destination, fileManager: fileManager, behavior: spec.fileExistsBehavior, root: revision)
        }
    }

    /// A file to its destination path; a directory's contents into the destination directory, as CodeDeploy does.
    private static func copy(_ source: URL, to destination: URL, fileManager: FileManager, behavior: AppSpec.FileExistsBehavior, root: URL) throws {
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw RevisionDeploymentError("files source \(source.lastPathComponent) is not in the bundle")
        }
        // The parent, links resolved, must be in the revision: a link installed earlier must not lead a copy out.
        guard destination.standardizedFileURL.path == root.standardizedFileURL.path || isInside(destination.deletingLastPathComponent(), root) else { throw RevisionDeploymentError("destination leads out of the revision") }
        if isDirectory.boolValue, (try? fileManager.destinationOfSymbolicLink(atPath: source.path)) == nil {
            try fileManager.createDirectory(at: destination, withIntermediateDirectories: true)
            for name in try fileManager.contentsOfDirectory(atPath: source.path) {
                try copy(source.appendingPathComponent(name), to: destination.appendingPathComponent(name), fileManager: fileManager, behavior: behavior, root: root)
            }
            return
        }
        if fileManager.fileExists(atPath: destination.path) || (try? fileManager.destinationOfSymbolicLink(atPath: destination.path)) != nil {
            switch behavior {
            case .disallow: throw RevisionDeploymentError("two files entries install \(destination.lastPathComponent) (file_exists_behavior: DISALLOW)")
            case .retain: return
            case .overwrite: try fileManager.removeItem(at: destination)
            }
        }
        try fileManager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fileManager.copyItem(at: source, to: destination)
    }

    static func currentDeploymentId(in target: URL) -> String? {
        guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: target.appendingPathComponent(currentLink).path) else { return nil }
        return URL(fileURLWithPath: destination).lastPathComponent
    }

    /// Points `current` at `revisions/<id>` by renaming a new link over it: readers see the old or the new, never none.
    static func switchCurrent(in target: URL, to deploymentId: String) throws {
        let temporary = target.appendingPathComponent(".\(currentLink)-\(UUID().uuidString)")
        try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: "\(revisionsDirectory)/\(deploymentId)")
        guard rename(temporary.path, target.appendingPathComponent(currentLink).path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw RevisionDeploymentError("cannot switch \(currentLink): \(String(cString: strerror(code)))")
        }
    }

    /// `current` back on the previous revision, or removed when there was none; true when it worked.
    static func rollBack(in target: URL, to previous: String?) -> Bool {
        guard let previous else {
            return (try? FileManager.default.removeItem(at: target.appendingPathComponent(currentLink))) != nil
        }
        return (try? switchCurrent(in: target, to: previous)) != nil
    }

    /// Removes all but the newest revisions and their bundles, never those in `keeping`.
    static func prune(_ target: URL, keeping: [String]) {
        let fileManager = FileManager.default
        let revisions = target.appendingPathComponent(revisionsDirectory)
        let names = (try? fileManager.contentsOfDirectory(atPath: revisions.path)) ?? []
        let dated = names.map { name in
            (name, (try? fileManager.attributesOfItem(atPath: revisions.appendingPathComponent(name).path)[.modificationDate] as? Date) ?? .distantPast)
        }
        let old = dated.sorted { $0.1 > $1.1 }.map(\.0).filter { !keeping.contains($0) }.dropFirst(max(revisionsKept - keeping.count, 0))
        for name in old {
            try? fileManager.removeItem(at: revisions.appendingPathComponent(name))
            let bundle = target.appendingPathComponent(bundlesDirectory).appendingPathComponent(name)
            try? fileManager.removeItem(at: bundle)
            try? fileManager.removeItem(at: bundle.appendingPathExtension("appspec"))
        }
    }
}
