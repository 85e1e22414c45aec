import Foundation

/// Where a build's log lines go (terminal, log file, live followers); every line is masked before it leaves.
public struct BuildLogger: Sendable {
    private let masker: LogMasker
    private let sink: @Sendable (String) async -> Void

    public init(masker: LogMasker, sink: @escaping @Sendable (String) async -> Void) {
        self.masker = masker
        self.sink = sink
    }

    public func line(_ text: String) async {
        await sink(masker.mask(text))
    }

    func phaseHeader(_ phase: BuildPhaseName) async {
        await line(BuildLogLine.phaseHeader(phase))
    }

    func note(_ text: String) async {
        await line(BuildLogLine.container(text))
    }

    func with(masker: LogMasker) -> BuildLogger {
        BuildLogger(masker: masker, sink: sink)
    }
}
