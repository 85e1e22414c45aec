import Testing

@testable import DepotServer

/// The README renderer must never emit active content, whatever the package author wrote.
@Suite("Console Markdown")
struct ConsoleMarkdownTests {
    let markdown = SafeMarkdown()

    @Test("headings, paragraphs, emphasis, code, lists, quotes, links and images")
    func basics() {
        let html = markdown.render(
            """
            # Title
            Some *em* and **strong** text with `code <b>`.

            - one
            - two [link](https://example.com/a?b=1&c=2)

            1. first
            2. second

            > quoted

            ```
            let x = "<tag>"
            ```

            ![logo](img/logo.png)
            ---
            """)
        #expect(html.contains("<h2>Title</h2>"))
        #expect(html.contains("<em>em</em>"))
        #expect(html.contains("<strong>strong</strong>"))
        #expect(html.contains("<code>code &lt;b&gt;</code>"))
        #expect(html.contains("<ul>\n<li>one</li>"))
        #expect(html.contains(#"<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">link</a>"#))
        #expect(html.contains("<ol>\n<li>first</li>"))
        #expect(html.contains("<blockquote><p>quoted</p></blockquote>"))
        #expect(html.contains("<pre><code>let x = &quot;&lt;tag&gt;&quot;</code></pre>"))
        #expect(html.contains(#"<img src="img/logo.png" alt="logo" loading="lazy">"#))
        #expect(html.contains("<hr>"))
    }

    @Test("raw HTML is text, never markup", arguments: [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<iframe src=//evil></iframe>",
        "<svg onload=alert(1)>",
        "```\n</code></pre><script>alert(1)</script>\n```",
        "`</code><script>x</script>`",
        "# <script>alert(1)</script>",
        "> <style>body{}</style>",
        "- <b onclick=x>li</b>",
    ])
    func rawHTMLEscaped(input: String) {
        let html = markdown.render(input)
        #expect(!html.contains("<script"), "\(html)")
        #expect(!html.contains("<img src=x"), "\(html)")
        #expect(!html.contains("<iframe"), "\(html)")
        #expect(!html.contains("<svg"), "\(html)")
        #expect(!html.contains("<style"), "\(html)")
        #expect(!html.contains("<b "), "\(html)")
        #expect(!html.contains("<a href=\"javascript"), "\(html)")
    }

    @Test("links and images with other schemes become plain text", arguments: [
        "[click](javascript:alert(1))",
        "[click](JavaScript:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](<javascript:alert(1)>)",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
        "[click](\\\\evil.example/x)",
        "![img](javascript:alert(1))",
        "![img](data:image/svg+xml;base64,PHN2Zz4=)",
        "[click](file:///etc/passwd)",
        "[click](&#106;avascript:alert(1))",
    ])
    func unsafeURLsDropped(input: String) {
        let html = markdown.render(input)
        // No link or image whose URL has a scheme other than http(s) or mailto (a tab ends the URL: `href="java"`).
        let unsafe = html.range(of: #"(href|src)="(?!https?:|mailto:)[^"/]*:"#, options: .regularExpression)
        #expect(unsafe == nil, "\(html)")
        #expect(!html.lowercased().contains("script:alert(1)\""), "\(html)")
    }

    @Test("quotes in URLs and alt text cannot leave the attribute")
    func attributeEscaping() {
        let html = markdown.render(#"[x](https://e.com/"onmouseover="alert(1)) ![a" onerror="x](https://e.com/i.png)"#)
        #expect(!html.contains(#"" onerror=""#))
        #expect(!html.contains(#""onmouseover=""#))
        #expect(html.contains("&quot;"))
    }

    @Test("mailto and relative links stay links")
    func allowedSchemes() {
        #expect(markdown.render("[m](mailto:a@b.c)").contains(#"href="mailto:a@b.c""#))
        #expect(markdown.render("[r](docs/guide.md#x)").contains(#"href="docs/guide.md#x""#))
        #expect(markdown.render("[h](HTTP://E.COM)").contains(#"href="HTTP://E.COM""#))
    }

    @Test("hostile shapes finish quickly and stay escaped")
    func hostileShapes() {
        let inputs = [
            String(repeating: "[", count: 50_000), String(repeating: "*a", count: 50_000), String(repeating: "`", count: 50_000),
            String(repeating: "[a](", count: 20_000), String(repeating: "> ", count: 20_000) + "<x>",
            String(repeating: "- ", count: 20_000), String(repeating: "![", count: 30_000),
            String(repeating: "[[[[x](y)]]]]", count: 5_000),
        ]
        for input in inputs {
            let html = markdown.render(input)
            #expect(!html.contains("<x>"))
        }
        // Longer than the limit: cut, not refused.
        #expect(!markdown.render(String(repeating: "a", count: SafeMarkdown.maximumLength + 10)).isEmpty)
    }

    @Test("snake_case names are not emphasis")
    func snakeCase() {
        #expect(markdown.render("use my_package_name here") == "<p>use my_package_name here</p>\n")
    }
}
