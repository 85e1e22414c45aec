import DepotCore
import Foundation
import Testing

@testable import DepotNPM

@Suite("npm publish body limits")
struct PublishBodyLimitTests {
    func feed(_ text: String, maxDepth: Int = 64, maxAttachments: Int = 1, made: Counter = Counter()) throws {
        var splitter = PublishBodySplitter(skeletonLimit: 1 << 20, maxDepth: maxDepth, maxAttachments: maxAttachments) {
            made.count += 1
            return RecordingBlobWriter()
        }
        try Array(text.utf8).withUnsafeBytes { try splitter.consume($0) }
        _ = try splitter.finish()
    }

    final class Counter {
        var count = 0
    }

    static func attachments(_ count: Int) -> String {
        let entries = (0..<count).map { #""f\#($0).tgz":{"content_type":"application/octet-stream","data":"AAAA","length":3}"# }
        return #"{"name":"p","versions":{},"_attachments":{"# + entries.joined(separator: ",") + "}}"
    }

    @Test("thousands of attachments: 400 TooManyAttachments at the second, one writer (one open file) made")
    func manyAttachments() throws {
        let made = Counter()
        #expect {
            try feed(Self.attachments(5000), made: made)
        } throws: { ($0 as? DepotError)?.code == "TooManyAttachments" && ($0 as? DepotError)?.kind == .badRequest }
        #expect(made.count == 1)
        try feed(Self.attachments(1))
        try feed(Self.attachments(3), maxAttachments: 3)
    }

    @Test("deep nesting in the document is 400 TooDeep while it streams, whatever the chunking")
    func deepNesting() throws {
        let deep = #"{"name":"p","versions":{"1.0.0":{"x":"# + String(repeating: "[", count: 100_000)
        #expect { try feed(deep) } throws: { ($0 as? DepotError)?.code == "TooDeep" }
        let fine = #"{"name":"p","versions":{"1.0.0":{"x":"# + String(repeating: "[", count: 10) + String(repeating: "]", count: 10) + "}}}"
        try feed(fine, maxDepth: 16)
        #expect(throws: DepotError.self) { try feed(fine, maxDepth: 12) }
    }
}
