import Foundation

/// Finds each report group's files (globs under its base directory) and reads them.
public struct ReportCollector: Sendable {
    public var sourceDirectory: URL

    public init(sourceDirectory: URL) {
        self.sourceDirectory = sourceDirectory
    }

    /// One report per group; a group whose files are missing or unreadable gets an error instead.
    public func collect(_ groups: [BuildspecReportGroup]) -> (reports: [TestReport], errors: [String]) {
        var reports: [TestReport] = []
        var errors: [String] = []
        for group in groups {
            guard let base = FileTree.contained(group.baseDirectory ?? ".", in: sourceDirectory) else {
                errors.append("report \(group.name): base-directory is outside the source directory")
                continue
            }
            let patterns = group.files.map(GlobPattern.init)
            let files = FileTree.files(under: base).filter { path in patterns.contains { $0.matches(path) } }
            guard !files.isEmpty else {
                errors.append("report \(group.name): no files match \(group.files.joined(separator: ", "))")
                continue
            }
            var report = TestReport(group: group.name)
            for file in files {
                do {
                    let data = try Data(contentsOf: base.appendingPathComponent(file))
                    report.add(try JUnitReportParser.parse(data, group: group.name, file: file))
                } catch {
                    errors.append("report \(group.name): \(error)")
                }
            }
            reports.append(report)
        }
        return (reports, errors)
    }
}
