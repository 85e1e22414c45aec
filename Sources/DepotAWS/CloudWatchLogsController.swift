import DepotBuild
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// The CloudWatch Logs operations CodeBuild users call on a build's log (`X-Amz-Target: Logs_20140328.<Op>`):
/// GetLogEvents on one build's stream and FilterLogEvents across a project's group (`/aws/codebuild/<project>`, the
/// stream being the build id after `<project>:`), in the domain of the key's token. Each line of the log is an event.
struct CloudWatchLogsController {
    static let prefix = "/api/aws/logs"
    static let service = AWSJSON11Service(targetPrefix: "Logs_20140328", invalidInput: "InvalidParameterException")
    static let maximumLimit = 10_000
    /// FilterLogEvents reads at most this much of the logs per call, then answers with a nextToken (possibly with no
    /// events, as CloudWatch does), so one call's work stays bounded however many builds a project has.
    static let scanBudget: Int64 = 8 << 20
    static let maximumStreams = 100

    let store: any BuildStore
    let builds: any BuildQueue
    let policy: AuthorizationPolicy
    let accountID: String

    static let permissions: [RoutePermission] = [
        RoutePermission(
            .post, prefix, .read, .domain,
            note: "CloudWatch Logs (`X-Amz-Target: Logs_20140328.*`) in the domain of the key's token: GetLogEvents, FilterLogEvents "
                + "on the log group `/aws/codebuild/<project>`, `read` on the project's repository")
    ]

    func addRoutes(to group: RouterGroup<DepotRequestContext>) {
        Self.service.addRoute(to: group, accountID: accountID) { operation, call in
            switch operation {
            case "GetLogEvents": try await getLogEvents(call)
            case "FilterLogEvents": try await filterLogEvents(call)
            default: nil
            }
        }
    }

    struct GetLogEventsInput: Decodable {
        var logGroupName: String?
        var logGroupIdentifier: String?
        var logStreamName: String
        var startTime: Int64?
        var endTime: Int64?
        var nextToken: String?
        var limit: Int?
        var startFromHead: Bool?
    }

    struct OutputEvent: Encodable {
        var timestamp: Int64
        var message: String
        var ingestionTime: Int64
    }

    func getLogEvents(_ call: AWSJSON11Call) async throws -> Response {
        let (identity, scope) = (call.identity, call.scope)
        struct Output: Encodable {
            var events: [OutputEvent]
            var nextForwardToken: String
            var nextBackwardToken: String
        }
        let input = try call.input(GetLogEventsInput.self)
        let project = try await project(group: input.logGroupName, identifier: input.logGroupIdentifier, identity: identity, scope: scope)
        guard let id = BuildLogNames.buildID(project: project.name, stream: input.logStreamName),
            let build = try await store.build(domain: scope.domain, id: id)
        else { throw Self.service.missing("The specified log stream does not exist.") }
        var token: LogToken?
        if let text = input.nextToken {
            guard let parsed = LogToken(text) else { throw Self.service.invalid("The specified nextToken is invalid.") }
            token = parsed
        }
        let log = try await builds.openLog(of: build, follow: false).existing
        defer { log?.close() }
        let page = try LogEventsPage.read(
            log, origin: Self.origin(of: build), complete: build.hasEnded, token: token, startFromHead: input.startFromHead ?? false,
            limit: try Self.limit(input.limit), timeRange: try Self.timeRange(input.startTime, input.endTime))
        return try Self.service.response(Output(
            events: page.events.map { OutputEvent(timestamp: $0.timestamp, message: $0.message, ingestionTime: $0.timestamp) },
            nextForwardToken: page.nextForward.text, nextBackwardToken: page.nextBackward.text))
    }

    struct FilterLogEventsInput: Decodable {
        var logGroupName: String?
        var logGroupIdentifier: String?
        var logStreamNames: [String]?
        var logStreamNamePrefix: String?
        var startTime: Int64?
        var endTime: Int64?
        var filterPattern: String?
        var nextToken: String?
        var limit: Int?
    }

    struct FilteredEvent: Encodable {
        var logStreamName: String
        var timestamp: Int64
        var message: String
        var ingestionTime: Int64
        var eventId: String
    }

    struct SearchedStream: Encodable {
        var logStreamName: String
        var searchedCompletely: Bool
    }

    /// Searches the group's streams, newest build first (or the named streams, in name order), each from its start.
    func filterLogEvents(_ call: AWSJSON11Call) async throws -> Response {
        let (identity, scope) = (call.identity, call.scope)
        struct Output: Encodable {
            var events: [FilteredEvent]
            var searchedLogStreams: [SearchedStream]
            var nextToken: String?
        }
        let input = try call.input(FilterLogEventsInput.self)
        let project = try await project(group: input.logGroupName, identifier: input.logGroupIdentifier, identity: identity, scope: scope)
        guard input.logStreamNames == nil || input.logStreamNamePrefix == nil else {
            throw Self.service.invalid("logStreamNames and logStreamNamePrefix cannot both be given")
        }
        if let names = input.logStreamNames, !(1...Self.maximumStreams).contains(names.count) {
            throw Self.service.invalid("logStreamNames must hold 1 to \(Self.maximumStreams) names")
        }
        let pattern: LogFilterPattern
        do { pattern = try LogFilterPattern(input.filterPattern ?? "") } catch let error as LogFilterPattern.Unsupported {
            throw Self.service.invalid(error.message)
        }
        let limit = try Self.limit(input.limit)
        let timeRange = try Self.timeRange(input.startTime, input.endTime)
        var resume: (id: String, position: LogPosition)?
        if let token = input.nextToken {
            guard let cursor = try? PageCursor(token: token), let keys = try? cursor.keys(of: "log-events", count: 3),
                let offset = Int64(keys[1]), let time = Int64(keys[2]), offset >= 0
            else { throw Self.service.invalid("The specified nextToken is invalid.") }
            resume = (keys[0], LogPosition(offset: offset, time: time))
        }
        var streams = StreamWalk(
            store: store, domain: scope.domain, project: project.name,
            named: input.logStreamNames.map { $0.compactMap { BuildLogNames.buildID(project: project.name, stream: $0) }.sorted() },
            prefix: input.logStreamNamePrefix, after: resume?.id)
        var output = Output(events: [], searchedLogStreams: [], nextToken: nil)
        var bytes = 0
        var scanned: Int64 = 0
        var first = resume
        while let build = try await streams.next() {
            let stream = BuildLogNames.stream(buildID: build.id)
            var start = Self.origin(of: build)
            if let resumed = first, resumed.id == build.id { start = resumed.position }
            first = nil
            // A build that ended before the range or was queued after it has no event in it.
            if let end = build.endedAt, LogPosition.milliseconds(end) < timeRange.lowerBound { continue }
            if LogPosition.milliseconds(build.queuedAt) > timeRange.upperBound { continue }
            guard let log = try await builds.openLog(of: build, follow: false).existing else { continue }
            defer { log.close() }
            var stoppedAt: LogPosition?
            try BuildLogEvents.scan(log, from: start, complete: build.hasEnded) { event in
                guard output.events.count < limit, bytes + event.size <= LogEventsPage.maximumBytes, scanned < Self.scanBudget else {
                    stoppedAt = event.start
                    return false
                }
                scanned += event.end.offset - event.start.offset
                if timeRange.contains(event.timestamp), pattern.matches(event.message) {
                    output.events.append(FilteredEvent(
                        logStreamName: stream, timestamp: event.timestamp, message: event.message, ingestionTime: event.timestamp,
                        eventId: "\(build.number)-\(event.start.offset)"))
                    bytes += event.size
                }
                return true
            }
            output.searchedLogStreams.append(SearchedStream(logStreamName: stream, searchedCompletely: stoppedAt == nil))
            if let stoppedAt {
                output.nextToken = PageCursor(listing: "log-events", keys: [build.id, String(stoppedAt.offset), String(stoppedAt.time)]).token
                break
            }
            if output.searchedLogStreams.count >= Self.maximumStreams, let next = try await streams.next() {
                let origin = Self.origin(of: next)
                output.nextToken = PageCursor(listing: "log-events", keys: [next.id, "0", String(origin.time)]).token
                break
            }
        }
        return try Self.service.response(output)
    }

    /// The streams FilterLogEvents searches, one build at a time: the named ones, or the project's builds newest first
    /// (with the prefix), resuming at a build.
    struct StreamWalk {
        let store: any BuildStore
        let domain: String
        let project: String
        let named: [String]?
        let prefix: String?
        var pending: [StoredBuild] = []
        var cursor: PageRequest?
        var done = false
        var resumeAt: String?

        init(store: any BuildStore, domain: String, project: String, named: [String]?, prefix: String?, after resume: String?) {
            self.store = store
            self.domain = domain
            self.project = project
            self.named = named
            self.prefix = prefix
            resumeAt = resume
            cursor = PageRequest(limit: 100)
        }

        mutating func next() async throws -> StoredBuild? {
            while true {
                if pending.isEmpty {
                    guard !done else { return nil }
                    try await fill()
                    continue
                }
                let build = pending.removeFirst()
                // Resuming: the builds before the one the token names were searched by earlier calls.
                if let resume = resumeAt {
                    guard build.id == resume else { continue }
                    resumeAt = nil
                }
                if let prefix, !BuildLogNames.stream(buildID: build.id).hasPrefix(prefix) { continue }
                return build
            }
        }

        private mutating func fill() async throws {
            if let named {
                done = true
                for id in named { if let build = try await store.build(domain: domain, id: id) { pending.append(build) } }
                return
            }
            // Resuming at a build: list from just before it rather than from the newest.
            if let resume = resumeAt, let build = try await store.build(domain: domain, id: resume), cursor?.after == nil {
                pending = [build]
                cursor = PageRequest(
                    limit: 100, after: PageCursor(listing: "builds", keys: [PageCursor.key(build.queuedAt.timeIntervalSince1970), build.id]))
                return
            }
            guard let request = cursor else {
                done = true
                return
            }
            let page = try await store.listBuilds(domain: domain, project: project, repositories: nil, page: request)
            pending = page.items
            if let next = page.next { cursor = PageRequest(limit: 100, after: next) } else { done = true }
        }
    }

    // MARK: Lookups

    /// The project a log group is, if the caller may read its builds.
    private func project(group name: String?, identifier: String?, identity: Identity?, scope: AWSBuildScope) async throws -> BuildProject {
        try policy.authorize(identity, .read, on: .domain(scope.domain))
        guard let group = BuildLogNames.groupName(name: name, identifier: identifier) else {
            throw Self.service.invalid("logGroupName or logGroupIdentifier is required")
        }
        guard group.utf8.count <= 512, let projectName = BuildLogNames.project(group: group) else {
            throw Self.service.missing("The specified log group does not exist.")
        }
        let project = try await store.project(domain: scope.domain, name: projectName)
        try policy.authorize(identity, .read, on: .build(domain: scope.domain, repository: project?.repository))
        guard let project else { throw Self.service.missing("The specified log group does not exist.") }
        return project
    }

    /// Where a build's log starts, at the time the build started (its first lines carry no stamp).
    static func origin(of build: StoredBuild) -> LogPosition {
        LogPosition(offset: 0, time: LogPosition.milliseconds(build.startedAt ?? build.queuedAt))
    }

    static func limit(_ value: Int?) throws -> Int {
        guard let value else { return maximumLimit }
        guard (1...maximumLimit).contains(value) else { throw service.invalid("limit must be from 1 to \(maximumLimit)") }
        return value
    }

    /// `startTime` (inclusive) to `endTime` (exclusive), in milliseconds.
    static func timeRange(_ start: Int64?, _ end: Int64?) throws -> ClosedRange<Int64> {
        let lower = max(0, start ?? 0)
        let upper = end.map { $0 - 1 } ?? .max
        guard lower <= upper else { throw service.invalid("endTime must be after startTime") }
        return lower...upper
    }
}
