import Foundation

/// JSON text of a `JSONSerialization`-style object tree (`[String: Any]`, `[Any]`, `String`, `NSNumber` and Swift's
/// numbers and `Bool`, `NSNull`), written straight into bytes. Foundation's writer on Linux bridges every dictionary
/// to `NSDictionary` and casts every value through the runtime: a 10,000-version packument took ~2 s, two thirds of
/// it there. Slashes are not escaped (as `.withoutEscapingSlashes`); keys keep the dictionary's order unless sorted.
public enum JSONBytes {
    public struct Unrepresentable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The JSON text of `object`; throws for a value JSON cannot hold (a non-finite number, another type).
    public static func encode(_ object: Any, sortedKeys: Bool = false, capacity: Int = 4096) throws -> [UInt8] {
        var writer = Writer(sortedKeys: sortedKeys)
        writer.bytes.reserveCapacity(capacity)
        try writer.write(object)
        return writer.bytes
    }

    private static let booleanClass = ObjectIdentifier(type(of: NSNumber(value: true)))
    private static let hex = Array("0123456789abcdef".utf8)

    private struct Writer {
        let sortedKeys: Bool
        var bytes: [UInt8] = []

        mutating func write(_ value: Any) throws {
            switch value {
            case let string as String:
                write(string: string)
            case let object as [String: Any]:
                bytes.append(UInt8(ascii: "{"))
                var first = true
                if sortedKeys {
                    for key in object.keys.sorted() {
                        member(key, first: &first)
                        try write(object[key]!)
                    }
                } else {
                    for (key, member) in object {
                        self.member(key, first: &first)
                        try write(member)
                    }
                }
                bytes.append(UInt8(ascii: "}"))
            case let array as [Any]:
                bytes.append(UInt8(ascii: "["))
                for (index, element) in array.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    try write(element)
                }
                bytes.append(UInt8(ascii: "]"))
            case let number as NSNumber:
                try write(number: number)
            case is NSNull:
                bytes.append(contentsOf: "null".utf8)
            default:
                throw Unrepresentable(description: "JSON cannot hold a \(type(of: value))")
            }
        }

        private mutating func member(_ key: String, first: inout Bool) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            write(string: key)
            bytes.append(UInt8(ascii: ":"))
        }

        private mutating func write(number: NSNumber) throws {
            if ObjectIdentifier(type(of: number)) == JSONBytes.booleanClass {
                bytes.append(contentsOf: (number.boolValue ? "true" : "false").utf8)
                return
            }
            switch UInt8(bitPattern: number.objCType.pointee) {
            case UInt8(ascii: "d"), UInt8(ascii: "f"):
                let double = number.doubleValue
                guard double.isFinite else { throw Unrepresentable(description: "JSON cannot hold \(double)") }
                // Whole numbers as integers, as Foundation writes them (1e3 is 1000); the rest in Swift's shortest
                // form that reads back to the same double.
                if double == double.rounded(), double >= -0x1p63, double < 0x1p63 {
                    bytes.append(contentsOf: String(Int64(double)).utf8)
                } else {
                    bytes.append(contentsOf: "\(double)".utf8)
                }
            case UInt8(ascii: "Q"), UInt8(ascii: "L"), UInt8(ascii: "I"), UInt8(ascii: "S"), UInt8(ascii: "C"):
                bytes.append(contentsOf: String(number.uint64Value).utf8)
            default:
                bytes.append(contentsOf: String(number.int64Value).utf8)
            }
        }

        private mutating func write(string: String) {
            bytes.append(UInt8(ascii: "\""))
            var string = string
            string.withUTF8 { utf8 in
                var plain = 0  // start of the run not yet copied
                for index in utf8.indices {
                    let byte = utf8[index]
                    guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain..<index]))
                    plain = index + 1
                    bytes.append(UInt8(ascii: "\\"))
                    switch byte {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                    case 0x0A: bytes.append(UInt8(ascii: "n"))
                    case 0x0D: bytes.append(UInt8(ascii: "r"))
                    case 0x09: bytes.append(UInt8(ascii: "t"))
                    case 0x08: bytes.append(UInt8(ascii: "b"))
                    case 0x0C: bytes.append(UInt8(ascii: "f"))
                    default:
                        bytes.append(contentsOf: "u00".utf8)
                        bytes.append(JSONBytes.hex[Int(byte >> 4)])
                        bytes.append(JSONBytes.hex[Int(byte & 0x0F)])
                    }
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain...]))
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }
}
