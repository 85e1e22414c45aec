import Testing

@testable import DepotPyPI

@Suite("SimpleContentNegotiation")
struct SimpleContentNegotiationTests {
    @Test("choices", arguments: [
        // No header: HTML, the PEP 503 default.
        (nil, SimpleContentType.html),
        ("", .html),
        // What pip 23+ and uv send.
        ("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01", .json),
        ("application/vnd.pypi.simple.v1+json", .json),
        ("application/vnd.pypi.simple.latest+json", .json),
        ("application/vnd.pypi.simple.v1+html", .versionedHTML),
        ("application/vnd.pypi.simple.latest+html", .versionedHTML),
        ("text/html", .html),
        ("TEXT/HTML", .html),
        // Wildcards alone: text/html, as PyPI answers legacy clients.
        ("*/*", .html),
        ("text/*", .html),
        ("application/*", .versionedHTML),
        // q-values decide; q=0 excludes.
        ("text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.4", .html),
        ("text/html;q=0.4, application/vnd.pypi.simple.v1+json;q=0.5", .json),
        ("application/vnd.pypi.simple.v1+json;q=0, */*", .html),
        ("*/*;q=0.1, application/vnd.pypi.simple.v1+json", .json),
        ("text/html;q=0, */*", .versionedHTML),
        // Explicit ties go to JSON.
        ("text/html, application/vnd.pypi.simple.v1+json", .json),
        ("application/vnd.pypi.simple.v1+html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.5", .json),
        // An explicit type beats a wildcard at the same q.
        ("*/*, text/html", .html),
        ("text/html;level=1;q=0.8, image/png", .html),
        // Unreadable q-values drop that range only.
        ("application/vnd.pypi.simple.v1+json;q=abc, text/html;q=0.2", .html),
    ] as [(String?, SimpleContentType)])
    func choose(accept: String?, expected: SimpleContentType) {
        #expect(SimpleContentNegotiation.choose(accept: accept) == expected)
    }

    @Test("nothing acceptable: 406", arguments: [
        "application/json", "image/png", "application/vnd.pypi.simple.v2+json", "text/html;q=0", "*/*;q=0",
        "application/vnd.pypi.simple.v1+json;q=0, text/html;q=0, application/vnd.pypi.simple.v1+html;q=0",
    ])
    func notAcceptable(accept: String) {
        #expect(SimpleContentNegotiation.choose(accept: accept) == nil)
    }

    @Test("concrete Content-Type for each choice")
    func contentTypes() {
        #expect(SimpleContentType.json.contentType == "application/vnd.pypi.simple.v1+json")
        #expect(SimpleContentType.versionedHTML.contentType == "application/vnd.pypi.simple.v1+html")
        #expect(SimpleContentType.html.contentType == "text/html; charset=utf-8")
        #expect(SimpleContentNegotiation.choose(accept: "application/vnd.pypi.simple.latest+json")?.contentType
            == "application/vnd.pypi.simple.v1+json")
        #expect(SimpleContentType.json.isJSON)
        #expect(!SimpleContentType.html.isJSON)
    }
}
