import DepotClientConfig
import DepotHTTP

/// Set-up snippets for a repository's endpoints: the `depot login` line and the file each client tool reads, as the
/// format modules' own client configurators write them (with a placeholder for the token).
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
}
