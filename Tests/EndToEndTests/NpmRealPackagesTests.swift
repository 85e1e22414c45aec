import Foundation
import Testing

/// Packages nobody here wrote: the ones shipped inside npm's own node_modules, published with their real
/// package.json files and dependency graph, then installed from Depot alone.
@Suite("npm real packages")
struct NpmRealPackagesTests {
    static let packages = ["ms", "color-name", "color-convert", "balanced-match", "brace-expansion", "minimatch"]

    static func npmModules() throws -> URL {
        let root = try Command.run("npm", ["root", "-g"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return URL(fileURLWithPath: root).appendingPathComponent("npm/node_modules")
    }

    @Test("publish npm's bundled packages and install them with their dependencies")
    func publishAndInstall() async throws {
        let ws = try Workspace()
        try ws.setUpRepository()
        let modules = try Self.npmModules()
        for name in Self.packages {
            let source = modules.appendingPathComponent(name)
            let copy = ws.root.appendingPathComponent("real-\(name)")
            try FileManager.default.copyItem(at: source, to: copy)
            // A publishConfig could point at the public registry; drop it so the publish goes to Depot. The build
            // scripts (minimatch's `prepare` runs tshy) need dev tools that are not here; the files are built already.
            let manifestURL = copy.appendingPathComponent("package.json")
            var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
            manifest.removeValue(forKey: "publishConfig")
            manifest.removeValue(forKey: "scripts")
            try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
            let published = try ws.npm(["publish", "--ignore-scripts"], in: copy)
            #expect(published.succeeded, "\(name): \(published.output)")
        }
        let project = try ws.directory("real-project")
        try ws.npm(["init", "-y"], in: project)
        let install = try ws.npm(["install", "color-convert", "minimatch", "ms"], in: project)
        #expect(install.succeeded, "\(install.output)")
        let script = """
            const convert = require('color-convert');
            const { minimatch } = require('minimatch');
            const ms = require('ms');
            console.log(convert.rgb.hex(255, 0, 0), minimatch('a/b.js', '**/*.js'), ms('2h'));
            """
        let run = try Command.run("node", ["-e", script], in: project)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "FF0000 true 7200000", "\(run.output)")
        for dependency in ["color-name", "brace-expansion", "balanced-match"] {
            #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("node_modules/\(dependency)/package.json").path))
        }
    }
}
