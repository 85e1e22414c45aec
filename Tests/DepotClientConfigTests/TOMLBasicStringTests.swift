import Testing

@testable import DepotClientConfig

@Suite("TOMLBasicString")
struct TOMLBasicStringTests {
    @Test("quotes, backslashes and control characters are escaped; the result is one line")
    func escapes() {
        #expect(TOMLBasicString.quote("plain") == "\"plain\"")
        #expect(TOMLBasicString.quote("a \"b\" \\c") == "\"a \\\"b\\\" \\\\c\"")
        #expect(TOMLBasicString.quote("one\ntwo\tthree\r") == "\"one\\ntwo\\tthree\\r\"")
        #expect(TOMLBasicString.quote("\u{08}\u{0C}\u{01}\u{7F}") == "\"\\b\\f\\u0001\\u007F\"")
        #expect(TOMLBasicString.quote("naïve ✓") == "\"naïve ✓\"")
    }

    @Test("Cargo's files are written with it")
    func cargoUsesIt() throws {
        let text = try CargoConfigFile.merged(existing: "", table: "registries.depot", values: ["index": "sparse+http://h/\"x\"\n"])
        #expect(text == "[registries.depot]\nindex = \(TOMLBasicString.quote("sparse+http://h/\"x\"\n"))\n")
    }
}
