@testable import DepotBuild
import Foundation
import Synchronization
import Testing

@Suite struct ShellOutputSplitterTests {
    /// A loaded machine hands the reader several pipe buffers at once; every line still stays within the bound.
    @Test func oneHugeChunkWithoutNewlinesBecomesBoundedLines() {
        let lines = Mutex<[String]>([])
        let splitter = ShellOutputSplitter(marker: "@@m ") { event in
            if case .output(let line) = event { lines.withLock { $0.append(line) } }
        }
        splitter.consume(Data(repeating: UInt8(ascii: "x"), count: 300_000))
        splitter.consume(Data("\n".utf8))
        splitter.finish()
        let all = lines.withLock { $0 }
        #expect(all.allSatisfy { $0.utf8.count <= ShellOutputSplitter.maximumLineLength })
        #expect(all.reduce(0) { $0 + $1.utf8.count } == 300_000)
    }

    @Test func aMarkerSplitAcrossChunksIsStillRecognised() {
        let exits = Mutex<[Int32]>([])
        let splitter = ShellOutputSplitter(marker: "@@m ") { event in
            if case .commandExited(let status) = event { exits.withLock { $0.append(status) } }
        }
        splitter.consume(Data(repeating: UInt8(ascii: "y"), count: 70_000) + Data("@@".utf8))
        splitter.consume(Data("m exit 3\n".utf8))
        splitter.finish()
        #expect(exits.withLock { $0 } == [3])
    }
}
