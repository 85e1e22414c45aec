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
        await line("[Container] \(Self.timestamp()) Entering phase \(phase.rawValue)")
    }

    func note(_ text: String) async {
        await line("[Container] \(Self.timestamp()) \(text)")
    }

    func with(masker: LogMasker) -> BuildLogger {
        BuildLogger(masker: masker, sink: sink)
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy/MM/dd HH:mm:ss.SSS"
        return formatter.string(from: Date())
    }
}
