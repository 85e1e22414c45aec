import DepotBuild
import DepotHTTP
import Foundation

extension FuzzTargets {
    /// Selector: a buildspec (its path patterns compiled and matched), a JUnit XML report collected from a
    /// build, or a single path pattern.
    static let buildspec = FuzzTarget(name: "buildspec", summary: "buildspec YAML, its path globs, JUnit XML reports") {
        bytes in
        let input = FuzzInput(bytes)
        switch input.selector % 3 {
        case 0:
            guard let spec = try? BuildspecParser.parse(input.text) else { return }
            var patterns = (spec.artifacts?.files ?? []) + (spec.artifacts?.excludePaths ?? []) + (spec.cache?.paths ?? [])
            patterns += spec.reports.flatMap(\.files)
            for pattern in patterns { _ = GlobPattern(pattern).matches("dist/a/b.js") }
        case 1:
            guard let report = try? JUnitReportParser.parse(Data(input.rest), group: "g", file: "report.xml") else { return }
            _ = try? JSONEncoder().encode(report)
        default:
            _ = GlobPattern(input.text).matches(input.text)
        }
    }

    static let authorization = FuzzTarget(name: "authorization", summary: "Authorization header (Bearer, Basic)") { bytes in
        _ = AuthenticationMiddleware.presentedSecret(String(decoding: bytes, as: UTF8.self))
    }
}
