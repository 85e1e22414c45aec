import DepotCore
import Testing

private func digests(of chunks: [[UInt8]]) -> BlobDigests {
    var hasher = MultiHasher()
    for chunk in chunks {
        chunk.withUnsafeBytes { hasher.update($0) }
    }
    return hasher.finalize()
}

@Suite("MultiHasher")
struct MultiHasherTests {
    @Test("digests of the empty input")
    func empty() {
        let d = MultiHasher().finalize()
        #expect(d.size == 0)
        #expect(d.md5 == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(d.sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(d.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            d.sha512
                == "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        )
    }

    @Test("digests of \"abc\"")
    func abc() {
        let d = digests(of: [Array("abc".utf8)])
        #expect(d.size == 3)
        #expect(d.md5 == "900150983cd24fb0d6963f7d28e17f72")
        #expect(d.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(d.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            d.sha512
                == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        )
    }

    @Test("feeding bytes in chunks gives the same digests as in one piece")
    func chunked() {
        #expect(digests(of: [Array("a".utf8), Array("b".utf8), [], Array("c".utf8)]) == digests(of: [Array("abc".utf8)]))

        var generator = SeededGenerator(seed: 42)
        let data = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var chunks: [[UInt8]] = []
        var offset = 0
        while offset < data.count {
            let size = Int.random(in: 1...70_000, using: &generator)
            let end = min(offset + size, data.count)
            chunks.append(Array(data[offset..<end]))
            offset = end
        }
        let whole = digests(of: [data])
        #expect(digests(of: chunks) == whole)
        #expect(whole.size == 300_000)
        #expect(whole.sha256.count == 64 && whole.sha512.count == 128 && whole.sha1.count == 40 && whole.md5.count == 32)
    }

    @Test("different inputs give different digests")
    func differentInputs() {
        #expect(digests(of: [Array("abc".utf8)]) != digests(of: [Array("abd".utf8)]))
    }
}

@Suite("Hex")
struct HexTests {
    @Test("encodes lowercase, two digits per byte")
    func encode() {
        #expect(Hex.encode([]) == "")
        #expect(Hex.encode([0x00, 0x0f, 0xf0, 0xff, 0xab, 0x01]) == "000ff0ffab01")
    }

    @Test("decodes either case")
    func decode() {
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("000ff0ffab01") == [0x00, 0x0f, 0xf0, 0xff, 0xab, 0x01])
        #expect(Hex.decode("ABCDEF") == [0xab, 0xcd, 0xef])
        #expect(Hex.decode("aBcD") == [0xab, 0xcd])
    }

    @Test("rejects odd lengths and non-hex characters", arguments: ["a", "abc", "zz", "0g", "  ", "a-", "é0", "0x12"])
    func decodeInvalid(input: String) {
        #expect(Hex.decode(input) == nil)
    }

    @Test("round-trips every byte value")
    func roundTrip() {
        let all = (0...255).map(UInt8.init)
        let encoded = Hex.encode(all)
        #expect(encoded.count == 512)
        #expect(Hex.decode(encoded) == all)
        #expect(Hex.decode(encoded.uppercased()) == all)
    }

    @Test("isDigest checks length and hex digits")
    func isDigest() {
        let sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(Hex.isDigest(sha256, length: 64))
        #expect(Hex.isDigest(sha256.uppercased(), length: 64))
        #expect(!Hex.isDigest(String(sha256.dropLast()), length: 64))
        #expect(!Hex.isDigest(sha256 + "0", length: 64))
        #expect(!Hex.isDigest(String(sha256.dropLast()) + "g", length: 64))
        #expect(!Hex.isDigest("../../../../etc/passwd", length: 22))
        #expect(!Hex.isDigest("", length: 64))
    }
}

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
