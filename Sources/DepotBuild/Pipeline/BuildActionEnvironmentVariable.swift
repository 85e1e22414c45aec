import Foundation

/// One entry of a Build/Test action's `EnvironmentVariables`, CodePipeline's JSON list
/// `[{"name":"STAGE","value":"beta","type":"PLAINTEXT"}]`. `SECRETS_MANAGER` and `PARAMETER_STORE` values name a
/// Depot secret.
public struct BuildActionEnvironmentVariable: Sendable, Hashable, Codable {
    public static let types: Set<String> = ["PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER"]
    public static let maxCount = 100

    public var name: String
    public var value: String
    public var type: String

    public init(name: String, value: String, type: String = "PLAINTEXT") {
        self.name = name
        self.value = value
        self.type = type
    }

    public var isSecret: Bool { type != "PLAINTEXT" }

    /// The list from CodePipeline's JSON string, or from a JSON object of names to values.
    public static func parse(_ text: String) throws(PipelineVariableError) -> [BuildActionEnvironmentVariable] {
        let data = Data(text.utf8)
        let variables: [BuildActionEnvironmentVariable]
        if let list = try? JSONDecoder().decode([Entry].self, from: data) {
            variables = list.map { BuildActionEnvironmentVariable(name: $0.name, value: $0.value, type: $0.type ?? "PLAINTEXT") }
        } else if let map = try? JSONDecoder().decode([String: String].self, from: data) {
            variables = map.sorted { $0.key < $1.key }.map { BuildActionEnvironmentVariable(name: $0.key, value: $0.value) }
        } else {
            throw PipelineVariableError(problems: ["must be a JSON list of {\"name\",\"value\",\"type\"} objects or a JSON object of names to values"])
        }
        var problems: [String] = []
        if variables.count > maxCount { problems.append("has more than \(maxCount) variables") }
        for variable in variables {
            if !isVariableName(variable.name) { problems.append("'\(variable.name.prefix(60))' is not a valid environment variable name") }
            if !types.contains(variable.type) {
                problems.append("variable \(variable.name) has type '\(variable.type.prefix(40))', not one of \(types.sorted().joined(separator: ", "))")
            }
        }
        guard problems.isEmpty else { throw PipelineVariableError(problems: problems) }
        return variables
    }

    /// CodePipeline's JSON string for `variables`.
    static func json(_ variables: [BuildActionEnvironmentVariable]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(variables)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 255 else { return false }
        let letter: (Unicode.Scalar) -> Bool = { $0.isASCII && ($0.properties.isAlphabetic || $0 == "_") }
        return letter(first) && name.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }

    private struct Entry: Decodable {
        var name: String
        var value: String
        var type: String?
    }
}
