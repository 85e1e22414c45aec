/// A client's configuration file and the edit that points the client at a Depot repository.
public struct ClientConfigFile: Sendable {
    /// Where the client looks by default, relative to HOME: `.npmrc`, `.config/pip/pip.conf`, `.m2/settings.xml`.
    public var homePath: String
    /// The environment variable that names another location, when the client has one (`NPM_CONFIG_USERCONFIG`).
    /// `depot login` honours it; a build sets it to the file in the build's HOME.
    public var locationVariable: String?
    /// The new text given the current one ("" for a new file). Throws when the current text cannot be edited safely.
    public var edit: @Sendable (_ existing: String) throws -> String

    public init(homePath: String, locationVariable: String? = nil, edit: @escaping @Sendable (_ existing: String) throws -> String) {
        self.homePath = homePath
        self.locationVariable = locationVariable
        self.edit = edit
    }

    /// The file's path: the location variable when it is set, else the default below `home`.
    public func path(home: String, environment: [String: String]) -> String {
        locationVariable.flatMap { environment[$0] } ?? "\(home)/\(homePath)"
    }
}
