/// Lookups over a list of client configurators. The list itself is the registered formats' (`registeredFormats()` in
/// DepotServer): `depot login` and the build wiring iterate it and never name a format.
public enum ClientConfigurators {
    /// The tool `depot login --tool` names (by its name or an alias), with its format's configurator.
    public static func tool(named name: String, in configurators: [any ClientConfigurator])
        -> (configurator: any ClientConfigurator, tool: any ClientTool)?
    {
        for configurator in configurators {
            if let tool = configurator.tools.first(where: { $0.name == name || $0.aliases.contains(name) }) { return (configurator, tool) }
        }
        return nil
    }

    /// The tools' names, in order: `npm`, `pip`, `uv`, `twine`, `maven`.
    public static func toolNames(in configurators: [any ClientConfigurator]) -> [String] {
        configurators.flatMap { $0.tools.map(\.name) }
    }
}
