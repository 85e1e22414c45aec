/// TOML basic strings (`"..."` with backslash escapes): the only value type the profile file holds.
enum TOMLBasicString {
    /// `value` quoted; control characters escaped, so the result is always one line.
    static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

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
