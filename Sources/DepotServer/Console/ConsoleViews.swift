import Foundation
import Hummingbird
import Mustache

/// The console's templates and static files, read once from the package's resources at start-up.
struct ConsoleViews: Sendable {
    struct StaticFile: Sendable {
        let contentType: String
        let bytes: [UInt8]
    }

    private let library: MustacheLibrary
    private let files: [String: StaticFile]

    init(resources: URL) throws {
        var library = MustacheLibrary()
        let templates = resources.appendingPathComponent("templates")
        for name in try FileManager.default.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            try library.register(text, named: String(name.dropLast(".mustache".count)))
        }
        self.library = library
        var files: [String: StaticFile] = [:]
        let statics = resources.appendingPathComponent("static")
        for name in try FileManager.default.contentsOfDirectory(atPath: statics.path) {
            let type =
                switch (name as NSString).pathExtension {
                case "css": "text/css; charset=utf-8"
                case "js": "text/javascript; charset=utf-8"
                case "svg": "image/svg+xml"
                default: "application/octet-stream"
                }
            files[name] = StaticFile(contentType: type, bytes: Array(try Data(contentsOf: statics.appendingPathComponent(name))))
        }
        self.files = files
    }

    /// The resources shipped with DepotServer.
    static func bundled() throws -> ConsoleViews {
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try ConsoleViews(resources: url)
    }

    func file(named name: String) -> StaticFile? { files[name] }

    /// A page as HTML; Mustache escapes every `{{value}}`.
    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let html = html(template, values)
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

extension ConsoleViews {
    func html(_ template: String, _ values: [String: Any]) -> String {
        library.render(Self.blankingEmptyStrings(values), withTemplate: template) ?? "template \(template) is missing"
    }

    /// Mustache opens a section for every string, even an empty one: empty strings become `EmptyText`, so that
    /// `{{#message}}<p>{{message}}</p>{{/message}}` shows nothing when there is no message.
    static func blankingEmptyStrings(_ value: Any) -> Any {
        switch value {
        case let text as String: text.isEmpty ? EmptyText() : text
        case let dictionary as [String: Any]: dictionary.mapValues(blankingEmptyStrings)
        case let array as [Any]: array.map(blankingEmptyStrings)
        default: value
        }
    }

    /// Renders as nothing and counts as false in a section.
    struct EmptyText: MustacheCustomRenderable {
        var renderText: String { "" }
        var isNull: Bool { true }
    }
}
