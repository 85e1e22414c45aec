import DepotCore
import Foundation
import Testing

@Suite("JSON bytes")
struct JSONBytesTests {
    static func text(_ object: Any) throws -> String {
        String(decoding: try JSONBytes.encode(object, sortedKeys: true), as: UTF8.self)
    }

    /// What Foundation reads back from our text equals what it reads back from its own.
    static func sameAsFoundation(_ object: Any) throws -> Bool {
        let ours = try JSONSerialization.jsonObject(with: Data(try JSONBytes.encode(object)), options: [.fragmentsAllowed])
        let theirs = try JSONSerialization.jsonObject(
            with: try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed]), options: [.fragmentsAllowed])
        return NSArray(array: [ours]).isEqual(NSArray(array: [theirs]))
    }

    @Test("scalars, containers and sorted keys")
    func shapes() throws {
        #expect(try Self.text(["b": 1, "a": [true, false, NSNull(), "x"], "c": ["d": 1.5]] as [String: Any])
            == #"{"a":[true,false,null,"x"],"b":1,"c":{"d":1.5}}"#)
        #expect(try Self.text([String: Any]()) == "{}")
        #expect(try Self.text([Any]()) == "[]")
        #expect(try Self.text([[String: Any]]()) == "[]")
        #expect(try Self.text(["k": "v"] as [String: String]) == #"{"k":"v"}"#)
    }

    @Test("strings are escaped as JSON requires, slashes and non-ASCII are not")
    func strings() throws {
        #expect(try Self.text("a/b") == #""a/b""#)
        #expect(try Self.text("q\"b\\n\nr\rt\tb\u{8}f\u{C}") == #""q\"b\\n\nr\rt\tb\bf\f""#)
        #expect(try Self.text("\u{0}\u{1}\u{1F}") == #""\u0000\u0001\u001f""#)
        #expect(try Self.text("é ✓ 😀") == "\"é ✓ 😀\"")
        #expect(try Self.text("") == #""""#)
    }

    @Test("numbers as Foundation reads them: integers, doubles, booleans, the largest unsigned")
    func numbers() throws {
        let parsed = try JSONSerialization.jsonObject(
            with: Data(#"[1, -3, 1.5, 1e3, 1e-7, 1e20, true, false, 18446744073709551615, 0.1]"#.utf8))
        #expect(try Self.text(parsed) == "[1,-3,1.5,1000,1e-07,1e+20,true,false,18446744073709551615,0.1]")
        // Foundation reads this one as a double; it is written as one and reads back the same.
        #expect(try Self.sameAsFoundation(try JSONSerialization.jsonObject(with: Data("[-9223372036854775808]".utf8))))
        #expect(try Self.text([7, 2.5, true, Int64.max] as [Any]) == "[7,2.5,true,9223372036854775807]")
        #expect(throws: JSONBytes.Unrepresentable.self) { try JSONBytes.encode([Double.nan]) }
        #expect(throws: JSONBytes.Unrepresentable.self) { try JSONBytes.encode([Date()]) }
    }

    @Test("a real npm manifest reads back as Foundation's own text does")
    func manifest() throws {
        let manifest = try JSONSerialization.jsonObject(with: Data(#"""
            {"name":"@scope/pkg","version":"1.0.0-rc.1","description":"A \"quoted\" <b>thing</b>\u2028 with / slashes",
             "dependencies":{"left-pad":"^1.3.0"},"bin":{"pkg":"bin/pkg.js"},"engines":{"node":">=18"},
             "dist":{"shasum":"abc","integrity":"sha512-xyz==","fileCount":12,"unpackedSize":12345,"signatures":[{"keyid":"k","sig":"s"}]},
             "_hasShrinkwrap":false,"hasInstallScript":true,"funding":[{"type":"github","url":"https://github.com/x"}],"x":null}
            """#.utf8))
        #expect(try Self.sameAsFoundation(manifest))
        #expect(try Self.sameAsFoundation(["versions": ["1.0.0": manifest, "2.0.0": manifest], "name": "@scope/pkg"] as [String: Any]))
    }
}
