import DepotCore
import Testing

@Suite("JSON nesting limit")
struct JSONNestingTests {
    @Test("nesting up to the limit passes, one more level is 400 TooDeep")
    func depth() throws {
        try JSONNesting.check(Array((String(repeating: "[", count: 8) + String(repeating: "]", count: 8)).utf8), maxDepth: 8)
        try JSONNesting.check(Array(#"{"a":{"b":[1,{"c":[]}]}}"#.utf8), maxDepth: 5)
        #expect {
            try JSONNesting.check(Array(String(repeating: "[", count: 9).utf8), maxDepth: 8)
        } throws: { ($0 as? DepotError)?.code == "TooDeep" && ($0 as? DepotError)?.kind == .badRequest }
        #expect(throws: DepotError.self) { try JSONNesting.check(Array(#"{"a":{"b":{"c":{}}}}"#.utf8), maxDepth: 3) }
    }

    @Test("brackets inside strings, escaped quotes included, do not count")
    func strings() throws {
        try JSONNesting.check(Array(#"{"k":"[[[[[[[[[[\"[[[[[[[[","l":["]]]]"]}"#.utf8), maxDepth: 2)
    }

    @Test("more values than maxValues (a wide document of tiny values) is 400 TooManyValues; commas in strings do not count")
    func values() throws {
        let wide = "[" + Array(repeating: "0", count: 2000).joined(separator: ",") + "]"
        #expect {
            try JSONNesting.check(Array(wide.utf8), maxDepth: 8, maxValues: 1000)
        } throws: { ($0 as? DepotError)?.code == "TooManyValues" }
        try JSONNesting.check(Array(wide.utf8), maxDepth: 8, maxValues: 3000)
        try JSONNesting.check(Array(("[\"" + String(repeating: ",", count: 5000) + "\"]").utf8), maxDepth: 8, maxValues: 10)
    }

    @Test("a 1 MiB bracket bomb is refused without parsing")
    func bomb() {
        #expect(throws: DepotError.self) { try JSONNesting.check([UInt8](repeating: UInt8(ascii: "["), count: 1 << 20), maxDepth: 64) }
    }
}
