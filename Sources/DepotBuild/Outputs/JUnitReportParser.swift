import DepotCore
import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads JUnit XML (`<testsuites>`/`<testsuite>`/`<testcase>` with `<failure>`, `<error>`, `<skipped>`), as
/// written by jest-junit, mocha-junit-reporter, pytest `--junitxml` and Maven surefire. Totals are counted from
/// the test cases, not taken from the suites' attributes, which reporters fill in differently.
public enum JUnitReportParser {
    public static func parse(_ data: Data, group: String, file: String) throws -> TestReport {
        // Inputs that crash Foundation's XMLParser (see XMLParserHazards). Every JUnit reporter writes UTF-8.
        guard !XMLParserHazards.isInvalidUTF8(data) else {
            throw DepotError.badRequest("\(file) is not a JUnit XML report (not UTF-8)", code: "InvalidReport")
        }
        guard !XMLParserHazards.hasEmptyProcessingInstruction(data) else {
            throw DepotError.badRequest("\(file) has a processing instruction without data", code: "InvalidReport")
        }
        let delegate = Delegate()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        guard parser.parse(), parser.parserError == nil, delegate.sawRoot else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no <testsuites> or <testsuite> element"
            throw DepotError.badRequest("\(file) is not a JUnit XML report (\(reason))", code: "InvalidReport")
        }
        var report = TestReport(group: group, files: [file])
        for test in delegate.cases {
            report.total += 1
            report.durationSeconds += test.time
            switch test.outcome {
            case .passed: report.passed += 1
            case .skipped: report.skipped += 1
            case .failed(let kind, let message):
                report.failed += 1
                report.failures.append(.init(suite: test.suite, name: test.name, className: test.className, message: message, kind: kind))
            }
        }
        return report
    }

    struct Case {
        enum Outcome {
            case passed
            case skipped
            case failed(kind: String, message: String)
        }

        var suite: String
        var name: String
        var className: String?
        var time: Double
        var outcome: Outcome = .passed
    }

    /// SAX delegate; XMLParser calls it synchronously on the parsing thread.
    final class Delegate: NSObject, XMLParserDelegate {
        var cases: [Case] = []
        var sawRoot = false
        private var suites: [String] = []
        private var current: Case?
        private var failureText = ""
        private var inFailure = false

        func parser(
            _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            switch element {
            case "testsuites":
                sawRoot = true
            case "testsuite":
                sawRoot = true
                suites.append(attributes["name"] ?? "")
            case "testcase":
                current = Case(
                    suite: suites.last ?? "", name: attributes["name"] ?? "", className: attributes["classname"],
                    time: Self.duration(attributes["time"]))
            case "failure", "error":
                guard current != nil else { return }
                let kind = element == "failure" ? "FAILED" : "ERROR"
                if case .failed = current?.outcome { return }
                current?.outcome = .failed(kind: kind, message: attributes["message"] ?? "")
                inFailure = true
                failureText = ""
            case "skipped":
                if current != nil, case .passed = current?.outcome { current?.outcome = .skipped }
            default:
                break
            }
        }

        /// Seconds, when finite and below a year: `NaN`, `inf` or `1e308` (summed) would make the build's
        /// result unencodable as JSON, and it would then be lost.
        static func duration(_ text: String?) -> Double {
            guard let seconds = text.flatMap(Double.init), seconds.isFinite, seconds >= 0, seconds < 366 * 86400 else {
                return 0
            }
            return seconds
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inFailure { failureText += string }
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            switch element {
            case "testsuite":
                _ = suites.popLast()
            case "testcase":
                if let current { cases.append(current) }
                current = nil
            case "failure", "error":
                // A failure with no message attribute: its text (first line) is the message.
                if inFailure, case .failed(let kind, let message) = current?.outcome, message.isEmpty {
                    let firstLine = failureText.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").first.map(String.init) ?? ""
                    current?.outcome = .failed(kind: kind, message: firstLine)
                }
                inFailure = false
            default:
                break
            }
        }
    }
}
