import Foundation
import Testing

@testable import DepotServer

@Suite("Console views")
struct ConsoleViewsTests {
    @Test("an empty string hides its section and renders as nothing, at any depth; other values are kept")
    func emptyStrings() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("depot-views-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for directory in ["templates", "static"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        try "{{#message}}<p>{{message}}</p>{{/message}}[{{message}}]{{#items}}{{name}}{{#note}}({{note}}){{/note}};{{/items}}{{#flag}}!{{/flag}}"
            .write(to: root.appendingPathComponent("templates/t.mustache"), atomically: true, encoding: .utf8)
        let views = try ConsoleViews(resources: root)
        func html(_ values: [String: Any]) -> String { views.html("t", values) }
        // An item's empty note is its own: the page's note does not show through.
        #expect(html(["message": "", "note": "page", "items": [["name": "a", "note": ""], ["name": "b", "note": "x"]], "flag": true]) == "[]a;b(x);!")
        #expect(html(["message": "hi", "items": [[String: Any]](), "flag": false]) == "<p>hi</p>[hi]")
    }
}
