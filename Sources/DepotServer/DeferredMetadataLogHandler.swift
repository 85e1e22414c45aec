import Logging

/// swift-log's stream handler with its metadata rendered when a line is written, not when metadata is set.
/// Hummingbird gives every request a logger carrying a request id; the stream handler formats all its metadata on
/// each such change, a few per cent of a cached read that never logs anything.
public struct DeferredMetadataLogHandler: LogHandler {
    private let label: String
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var stream = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
        stream.logLevel = logLevel
        stream.metadata = metadata
        stream.log(event: event)
    }
}
