/// The representations of a Simple API page a server can answer with (PEP 691).
public enum SimpleContentType: String, Sendable, CaseIterable {
    case json = "application/vnd.pypi.simple.v1+json"
    case versionedHTML = "application/vnd.pypi.simple.v1+html"
    case html = "text/html"

    /// The `Content-Type` to send: always a concrete type, never a `latest` alias.
    public var contentType: String {
        switch self {
        case .json, .versionedHTML: rawValue
        case .html: "text/html; charset=utf-8"
        }
    }

    public var isJSON: Bool { self == .json }
}

/// Picks the Simple API representation from an `Accept` header, as PEP 691 describes.
public enum SimpleContentNegotiation {
    /// nil means none is acceptable: answer 406.
    ///
    /// - No (or an empty) `Accept` header gets HTML, the PEP 503 default.
    /// - `latest` aliases count as the v1 types; `q=0` excludes a type; the highest q wins.
    /// - Each type takes the q of the most specific range that matches it (`text/html` over `text/*` over `*/*`).
    /// - Ties between types named explicitly go to JSON (pip and uv rank it first anyway); ties on wildcards
    ///   alone go to `text/html`, as on PyPI, because legacy clients send `*/*` and parse HTML.
    public static func choose(accept: String?) -> SimpleContentType? {
        guard let accept, accept.contains(where: { !$0.isWhitespace }) else { return .html }
        let ranges = accept.split(separator: ",").compactMap(MediaRange.init)

        var best: (type: SimpleContentType, q: Double, explicit: Bool)?
        // Listed in explicit-tie order; the wildcard-tie order is the reverse.
        for type in [SimpleContentType.json, .versionedHTML, .html] {
            guard let match = bestMatch(for: type, in: ranges), match.q > 0 else { continue }
            guard let current = best else {
                best = (type, match.q, match.explicit)
                continue
            }
            if match.q > current.q || (match.q == current.q && match.explicit && !current.explicit)
                || (match.q == current.q && !match.explicit && !current.explicit)
            {
                best = (type, match.q, match.explicit)
            }
        }
        return best?.type
    }

    /// The q of the most specific range matching `type`, and whether that range named it exactly.
    private static func bestMatch(for type: SimpleContentType, in ranges: [MediaRange]) -> (q: Double, explicit: Bool)? {
        let exact: Set<String> =
            switch type {
            case .json: ["application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json"]
            case .versionedHTML: ["application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html"]
            case .html: ["text/html"]
            }
        let major = type == .html ? "text" : "application"
        var best: (specificity: Int, q: Double)?
        for range in ranges {
            let specificity: Int
            if exact.contains(range.type) {
                specificity = 2
            } else if range.type == major + "/*" {
                specificity = 1
            } else if range.type == "*/*" {
                specificity = 0
            } else {
                continue
            }
            if best == nil || specificity > best!.specificity || (specificity == best!.specificity && range.q > best!.q) {
                best = (specificity, range.q)
            }
        }
        return best.map { ($0.q, $0.specificity == 2) }
    }

    private struct MediaRange {
        var type: String
        var q: Double

        /// `type/subtype;param=value;q=0.5`; a range with an unreadable q is ignored.
        init?(_ text: Substring) {
            let parts = text.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
            guard let first = parts.first, first.contains("/") else { return nil }
            type = first.lowercased()
            q = 1
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
                guard pair.count == 2, pair[0].lowercased() == "q" else { continue }
                guard let value = Double(pair[1]), (0...1).contains(value) else { return nil }
                q = value
            }
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let f = slice.first, characters.contains(f) { slice = slice.dropFirst() }
        while let l = slice.last, characters.contains(l) { slice = slice.dropLast() }
        return String(slice)
    }
}
