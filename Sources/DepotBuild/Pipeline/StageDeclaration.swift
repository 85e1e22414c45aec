/// One stage: its actions run by ascending `runOrder`, those sharing a run order in parallel.
public struct StageDeclaration: Sendable, Hashable, Codable {
    public var name: String
    public var actions: [ActionDeclaration]

    public init(name: String, actions: [ActionDeclaration]) {
        self.name = name
        self.actions = actions
    }
}
