import Foundation
import Testing

@testable import DepotMaven

@Suite("Maven in the console")
struct MavenPresentationTests {
    @Test("a group:artifact name becomes a <dependency> element")
    func installLine() {
        #expect(
            MavenPresentation().installLine(name: "com.acme:lib", version: "1.2")
                == "<dependency><groupId>com.acme</groupId><artifactId>lib</artifactId><version>1.2</version></dependency>")
        #expect(MavenPresentation().details(metadata: Data("{}".utf8)) == .init())
    }
}
