import DepotCore
import Testing

@Suite("Line splitter")
struct LineSplitterTests {
    @Test("lines across chunks, empty lines kept, the open rest on demand")
    func lines() {
        var splitter = LineSplitter()
        #expect(splitter.append(Array("ab".utf8)).isEmpty)
        #expect(splitter.append(Array("c\n\nde\nf".utf8)) == ["abc", "", "de"])
        #expect(splitter.rest() == "f")
        #expect(splitter.rest() == nil)
    }

    @Test("output without line breaks is cut at the maximum length: what is held stays bounded")
    func longLines() {
        var splitter = LineSplitter(maximumLength: 4)
        #expect(splitter.append(Array("abcdefghij".utf8)) == ["abcd", "efgh"])
        #expect(splitter.append(Array("k\nxy".utf8)) == ["ijk"])
        #expect(splitter.append(Array("1234\n".utf8)) == ["xy12", "34"])
        #expect(splitter.rest() == nil)
    }
}
