import Foundation
import Testing

/// `depot build run` with a Maven project: `mvn deploy` from a buildspec with no credentials in it; the build's
/// HOME has the settings.xml with the build token.
@Suite("build: maven project")
struct BuildMavenTests {
    @Test("mvn deploy from a buildspec publishes the jar to Depot")
    func mavenDeploy() throws {
        try #require(MavenTools.shared.available, MavenTools.shared.missingMessage)
        let bw = try BuildWorkspace()
        let project = try bw.ws.makeMavenProject(
            directory: "mvn-lib", groupId: "com.acme.build", artifactId: "build-lib", version: "1.0.0",
            deployURL: bw.ws.mavenURL(),
            files: [
                "src/main/java/com/acme/build/Lib.java": "package com.acme.build;\npublic class Lib { public static int answer() { return 42; } }\n",
                "buildspec.yml": """
                    version: 0.2
                    phases:
                      build:
                        commands:
                          - mvn -B -Dstyle.color=never -gs "$MVN_GLOBAL_SETTINGS" deploy
                    artifacts:
                      files: [target/*.jar]
                      discard-paths: yes
                    """,
            ])
        // The build runs sandboxed and sees only its source: the global settings (Debian's plugins) and the local
        // repository they name go there.
        let settings = project.appendingPathComponent("global-settings.xml")
        let text = try String(contentsOf: try bw.ws.mavenGlobalSettings(), encoding: .utf8)
            .replacingOccurrences(of: bw.ws.root.appendingPathComponent("m2-default").path, with: project.appendingPathComponent(".m2-repo").path)
        try Data(text.utf8).write(to: settings)
        let (build, json, _) = try bw.build(project, extra: ["--env", "MVN_GLOBAL_SETTINGS=\(settings.path)", "--timeout", "15m"])
        #expect(build.succeeded, "\(bw.ws.tail(build))")
        #expect(json["status"] as? String == "SUCCEEDED")
        #expect(!build.stdout.contains("dpt_"))
        let files = (json["artifacts"] as? [[String: Any]])?.first?["files"] as? [String] ?? []
        #expect(files == ["build-lib-1.0.0.jar"])
        let status = try Command.run(
            "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(bw.server.adminToken)",
                     bw.ws.mavenURL() + "com/acme/build/build-lib/1.0.0/build-lib-1.0.0.jar"])
        #expect(status.stdout == "200", "\(status.output)")
    }
}
