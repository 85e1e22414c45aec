import DepotClientConfig

/// Reading TOML basic strings, the only value type the profile file holds (writing them: `TOMLBasicString.quote`).
extension TOMLBasicString {
    /// Reads a basic string at the start of `text` (which begins with `"`); returns its value and what follows.
    static func parse(_ text: Substring) throws -> (value: String, rest: Substring) {
        var scalars = text.unicodeScalars.dropFirst()[...]
        var value = String.UnicodeScalarView()
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\"":
                return (String(value), Substring(scalars))
            case "\\":
                guard let escape = scalars.popFirst() else { throw TOMLSyntaxError("unterminated string") }
                switch escape {
                case "\"": value.append("\"")
                case "\\": value.append("\\")
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "r": value.append("\r")
                case "b": value.append("\u{08}")
                case "f": value.append("\u{0C}")
                case "u", "U":
                    let digits = escape == "u" ? 4 : 8
                    let hex = String(String.UnicodeScalarView(scalars.prefix(digits)))
                    guard hex.count == digits, let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                        throw TOMLSyntaxError("invalid \\\(escape) escape")
                    }
                    value.append(decoded)
                    scalars = scalars.dropFirst(digits)
                default:
                    throw TOMLSyntaxError("invalid escape \\\(escape)")
                }
            case _ where (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F:
                throw TOMLSyntaxError("control character in a string (escape it)")
            default:
                value.append(scalar)
            }
        }
        throw TOMLSyntaxError("unterminated string")
    }
}

/// What is wrong with a line of the profile file (the reader adds the line number).
struct TOMLSyntaxError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
