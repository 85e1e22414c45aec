import DepotClientConfig
import DepotHTTP

/// Set-up snippets for a repository's endpoints: the `depot login` line and the file each client tool reads, as the
/// format modules' own client configurators write them (with a placeholder for the token), and an install line.
enum ConsoleSnippets {
    static let tokenPlaceholder = "<your token>"

    static func endpoints(modules: FormatModules, base: String, domain: String, repository: String) -> [[String: Any]] {
        modules.all.enumerated().map { index, module in
            let url = "\(base)/\(domain)/\(repository)/\(module.format.endpointPath)"
            let tools: [[String: Any]] = module.client.tools.enumerated().map { toolIndex, tool in
                let files = tool.configFiles(endpoint: url, token: tokenPlaceholder, options: ToolOptions())
                let text = files.map { file in
                    let body = (try? file.edit("")) ?? ""
                    return "# ~/\(file.homePath)\n" + body
                }.joined(separator: "\n")
                return [
                    "tool": tool.name, "id": "snippet-\(index)-\(toolIndex)",
                    "login": "depot login --tool \(tool.name) --domain \(domain) --repo \(repository)",
                    "file": text,
                ]
            }
            return ["format": module.format.id, "url": url, "tools": tools, "id": "endpoint-\(index)"]
        }
    }

    /// The command (or manifest line) that installs `name` at `version`, as each format's users write it.
    static func installLine(format: String, name: String, version: String) -> String {
        switch format {
        case "npm": "npm install \(name)@\(version)"
        case "pypi": "pip install \(name)==\(version)"
        case "maven":
            {
                let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
                let group = parts.first ?? name
                let artifact = parts.count > 1 ? parts[1] : name
                return "<dependency><groupId>\(group)</groupId><artifactId>\(artifact)</artifactId><version>\(version)</version></dependency>"
            }()
        case "cargo": "cargo add \(name)@\(version) --registry depot"
        case "swift": ".package(id: \"\(name)\", exact: \"\(version)\")"
        default: "\(name) \(version)"
        }
    }
}
