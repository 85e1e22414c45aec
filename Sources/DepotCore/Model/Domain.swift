import Foundation

/// Top-level container (an organisation). Assets are stored once per domain.
public struct Domain: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var createdAt: Date

    public init(id: Int64, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}
