import CYaml

/// How many nodes a YAML text stands for once its aliases are expanded, counted from libyaml's events without
/// building anything. Yams' composer hashes every mapping key whole, aliases expanded, so a few hundred bytes of
/// nested aliases ("billion laughs") would keep a build worker busy for ever; buildspecs are checked first.
enum YAMLAliasBudget {
    /// False when the text expands to more than `limit` nodes. Text that is not YAML passes: the composer says why.
    static func allows(_ text: String, limit: Int) -> Bool {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return true }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var counter = Counter(limit: limit)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                let type = event.type
                counter.take(event)
                yaml_event_delete(&event)
                if counter.exceeded { return false }
                if type == YAML_STREAM_END_EVENT { break }
            }
            return true
        }
    }

    /// Sizes of the anchored nodes and of the collections still open; sums saturate at the limit.
    private struct Counter {
        let limit: Int
        var anchored: [String: Int] = [:]
        var open: [(size: Int, anchor: String?)] = []
        var total = 0

        init(limit: Int) { self.limit = limit }

        var exceeded: Bool { total > limit }

        mutating func take(_ event: yaml_event_t) {
            switch event.type {
            case YAML_SCALAR_EVENT:
                close(size: 1, anchor: Self.name(event.data.scalar.anchor))
            case YAML_ALIAS_EVENT:
                // An undefined alias is the composer's error to report; it counts as one node here.
                close(size: Self.name(event.data.alias.anchor).flatMap { anchored[$0] } ?? 1, anchor: nil)
            case YAML_SEQUENCE_START_EVENT:
                open.append((1, Self.name(event.data.sequence_start.anchor)))
            case YAML_MAPPING_START_EVENT:
                open.append((1, Self.name(event.data.mapping_start.anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                if let collection = open.popLast() { close(size: collection.size, anchor: collection.anchor) }
            default:
                break
            }
        }

        /// A complete node of `size` nodes: remembered under its anchor, added to its parent (or, at the top, to the total).
        private mutating func close(size: Int, anchor: String?) {
            if let anchor { anchored[anchor] = size }
            guard !open.isEmpty else {
                total = min(total + size, limit + 1)
                return
            }
            open[open.count - 1].size = min(open[open.count - 1].size + size, limit + 1)
            if open[open.count - 1].size > limit { total = limit + 1 }
        }

        private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: $0) }
        }
    }
}
