/// The Simple API root (`/simple/`): every project of the repository, as PEP 503 HTML or PEP 691 JSON.
public struct SimpleProjectList: Sendable, Hashable {
    /// Project names as published (display form); links use the normalized form.
    public let projects: [String]

    public init(projects: [String]) {
        self.projects = projects
    }

    public func html() -> String {
        var out = """
            <!DOCTYPE html>
            <html>
              <head>
                <meta name="pypi:repository-version" content="\(SimpleIndex.apiVersion)">
                <title>Simple index</title>
              </head>
              <body>

            """
        for project in projects {
            // Relative to `/simple/`, so the page works behind any prefix or host.
            let href = SimpleIndex.escapeHTML(PyPIProjectName.normalize(project) + "/")
            out += "    <a href=\"\(href)\">\(SimpleIndex.escapeHTML(project))</a><br />\n"
        }
        out += "  </body>\n</html>\n"
        return out
    }

    /// PEP 691 JSON: `{"meta": {"api-version": ...}, "projects": [{"name": ...}]}`.
    public func json() -> String {
        SimpleIndex.encodeJSON(
            Document(meta: .init(apiVersion: SimpleIndex.apiVersion), projects: projects.map { Project(name: $0) }))
    }

    private struct Document: Encodable {
        var meta: SimpleProjectPage.Meta
        var projects: [Project]
    }

    private struct Project: Encodable {
        var name: String
    }
}
