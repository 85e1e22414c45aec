import DepotBuild
import Testing

@Suite struct GlobPatternTests {
    @Test func doubleStarSpansDirectoriesStarDoesNot() {
        #expect(GlobPattern("**/*").matches("a/b/c.txt"))
        #expect(GlobPattern("**/*").matches("c.txt"))
        #expect(GlobPattern("dist/*.js").matches("dist/app.js"))
        #expect(!GlobPattern("dist/*.js").matches("dist/sub/app.js"))
        #expect(GlobPattern("dist/**/*.js").matches("dist/sub/app.js"))
        #expect(GlobPattern("dist/**/*.js").matches("dist/app.js"))
        #expect(GlobPattern("./target/app-?.jar").matches("target/app-1.jar"))
        #expect(!GlobPattern("*.txt").matches("atxt"))
    }

    @Test func aDirectoryTakesItsContents() {
        #expect(GlobPattern("docs").matches("docs/index.html"))
        #expect(!GlobPattern("docs").matches("docs2/index.html"))
    }
}
