import Foundation

/// An Approval/Manual action's configuration: what the approver reads and when the request expires.
public struct ApprovalConfiguration: Sendable, Hashable {
    /// CodePipeline's: an approval waits at most 7 days.
    public static let maxExpiresInMinutes = 7 * 24 * 60

    public var customData: String?
    public var externalEntityLink: String?
    public var expiresInMinutes: Int

    public init(_ configuration: [String: String]) {
        customData = configuration["CustomData"]
        externalEntityLink = configuration["ExternalEntityLink"]
        let minutes = configuration["ExpiresInMinutes"].flatMap { Int($0) } ?? Self.maxExpiresInMinutes
        expiresInMinutes = min(max(minutes, 1), Self.maxExpiresInMinutes)
    }

    public func expiry(from start: Date) -> Date {
        start.addingTimeInterval(TimeInterval(expiresInMinutes) * 60)
    }
}
