import Foundation

/// Prints API results as JSON (`--json`) or as aligned tables.
enum Output {
    static func json(_ object: Any) {
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }

    static func table(_ rows: [[String: Any]], columns: [String]) {
        let cells = rows.map { row in columns.map { text(row[$0]) } }
        let widths = columns.indices.map { i in max(columns[i].count, cells.map { $0[i].count }.max() ?? 0) }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        print(line(columns.map { $0.uppercased() }))
        cells.forEach { print(line($0)) }
    }

    /// Key/value listing for one object.
    static func describe(_ object: [String: Any]) {
        let width = object.keys.map(\.count).max() ?? 0
        for key in object.keys.sorted() {
            print("\(key.padding(toLength: width, withPad: " ", startingAt: 0))  \(text(object[key]))")
        }
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return "-"
        case let array as [Any]: return array.map { text($0) }.joined(separator: ",")
        case let object as [String: Any]:
            return object.keys.sorted().map { "\($0)=\(text(object[$0]))" }.joined(separator: " ")
        case let value?: return "\(value)"
        }
    }

    static func emit(_ object: Any, json asJSON: Bool, list key: String? = nil, columns: [String] = []) {
        if asJSON { return json(object) }
        if let key, let rows = (object as? [String: Any])?[key] as? [[String: Any]] {
            return table(rows, columns: columns)
        }
        if let object = object as? [String: Any] { return describe(object) }
        json(object)
    }
}
