import Crypto
import DepotCore
import Foundation

/// The parts of a request AWS Signature Version 4 signs, as they arrived.
public struct SigV4Request: Sendable {
    public var method: String
    /// The path as sent (still percent-encoded), without the query.
    public var path: String
    /// The query as sent (still percent-encoded), without `?`.
    public var query: String
    /// Every header with a lowercase name, `host` included.
    public var headers: [(name: String, value: String)]
    /// Hex SHA-256 of the body as received.
    public var payloadSHA256: String

    public init(method: String, path: String, query: String, headers: [(name: String, value: String)], payloadSHA256: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadSHA256 = payloadSHA256
    }

    func values(of name: String) -> [String] { headers.filter { $0.name == name }.map(\.value) }
}

/// The `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header, parsed.
public struct SigV4Authorization: Sendable, Equatable {
    public var accessKeyID: String
    /// `yyyyMMdd` of the credential scope.
    public var date: String
    public var region: String
    public var service: String
    public var signedHeaders: [String]
    public var signature: String

    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The longest header accepted: a key id, a scope, a few dozen header names and a signature.
    static let maximumLength = 4096

    public init(header: String) throws {
        guard header.utf8.count <= Self.maximumLength else { throw AWSError.incompleteSignature("the Authorization header is too long") }
        guard header.hasPrefix(Self.algorithm + " ") else {
            throw AWSError.incompleteSignature("only \(Self.algorithm) signatures are accepted")
        }
        var fields: [String: String] = [:]
        for part in header.dropFirst(Self.algorithm.count + 1).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            guard let equals = pair.firstIndex(of: "=") else { throw AWSError.incompleteSignature("malformed Authorization field '\(pair)'") }
            fields[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else {
            throw AWSError.incompleteSignature("the Authorization header needs Credential, SignedHeaders and Signature")
        }
        try self.init(credential: credential, signedHeaders: signed, signature: signature)
    }

    /// The three parts as the header or a presigned URL's query (`X-Amz-Credential`, ...) carries them.
    init(credential: String, signedHeaders signed: String, signature: String) throws {
        guard credential.utf8.count + signed.utf8.count + signature.utf8.count <= Self.maximumLength else {
            throw AWSError.incompleteSignature("the signature is too long")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request", !scope[0].isEmpty, scope[1].utf8.count == 8,
            scope[1].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), !scope[2].isEmpty
        else {
            throw AWSError.incompleteSignature("Credential must be <key id>/<yyyyMMdd>/<region>/<service>/aws4_request")
        }
        guard signature.utf8.count == 64, signature.utf8.allSatisfy(\.isLowercaseHexDigit) else {
            throw AWSError.incompleteSignature("Signature must be 64 lowercase hex digits")
        }
        let names = signed.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty && $0 == $0.lowercased() }), names.contains("host") else {
            throw AWSError.incompleteSignature("SignedHeaders must be lowercase names and include host")
        }
        accessKeyID = scope[0]
        date = scope[1]
        region = scope[2]
        service = scope[3]
        signedHeaders = names
        self.signature = signature
    }
}

/// The query of a presigned URL (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
/// `X-Amz-SignedHeaders`, `X-Amz-Signature`); nil when the query has no signature.
struct PresignedQuery {
    /// A presigned URL lives at most a week, as AWS's do.
    static let maximumExpires: TimeInterval = 7 * 24 * 3600

    let authorization: SigV4Authorization
    let amzDate: String
    let expires: TimeInterval
    /// The query without `X-Amz-Signature`: what was signed.
    let signedQuery: String

    init?(_ query: String) throws {
        var fields: [String: String] = [:]
        var signed: [Substring] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            if key.hasPrefix("X-Amz-") { fields[key] = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? "") : "" }
            if key != "X-Amz-Signature" { signed.append(pair) }
        }
        guard let signature = fields["X-Amz-Signature"] else { return nil }
        guard fields["X-Amz-Algorithm"] == SigV4Authorization.algorithm, let credential = fields["X-Amz-Credential"],
            let names = fields["X-Amz-SignedHeaders"], let date = fields["X-Amz-Date"], let expiresText = fields["X-Amz-Expires"]
        else {
            throw AWSError.incompleteSignature(
                "a presigned URL needs X-Amz-Algorithm=AWS4-HMAC-SHA256, X-Amz-Credential, X-Amz-Date, X-Amz-Expires and X-Amz-SignedHeaders")
        }
        guard let seconds = Int(expiresText), seconds >= 1, TimeInterval(seconds) <= Self.maximumExpires else {
            throw AWSError.incompleteSignature("X-Amz-Expires must be 1 to 604800 seconds")
        }
        authorization = try SigV4Authorization(credential: credential, signedHeaders: names, signature: signature)
        amzDate = date
        expires = TimeInterval(seconds)
        signedQuery = signed.joined(separator: "&")
    }
}

/// Checks AWS Signature Version 4 (the Authorization header, or a presigned URL's query): the credential's service, the request time within
/// `allowedClockSkew`, the payload hash, and the signature over the canonical request, compared in constant time.
public struct SigV4Verifier: Sendable {
    public static let allowedClockSkew: TimeInterval = 15 * 60
    public let service: String

    public init(service: String) {
        self.service = service
    }

    /// The parsed authorization when the signature is right; `secret` gives the secret of a key id (throws for unknown
    /// keys). Throws an `AWSError` naming what is wrong otherwise.
    public func verify(
        _ request: SigV4Request, authorization header: String?, now: Date, secret: (String) async throws -> String
    ) async throws -> SigV4Authorization {
        let authorization: SigV4Authorization
        let amzDate: String
        var signedQuery = request.query
        if let header {
            authorization = try SigV4Authorization(header: header)
            guard let date = request.values(of: "x-amz-date").first else {
                throw AWSError.incompleteSignature("X-Amz-Date (yyyyMMdd'T'HHmmss'Z') is required")
            }
            amzDate = date
            guard authorization.signedHeaders.contains("x-amz-date") else {
                throw AWSError.incompleteSignature("X-Amz-Date must be signed")
            }
        } else if let presigned = try PresignedQuery(request.query) {
            authorization = presigned.authorization
            amzDate = presigned.amzDate
            signedQuery = presigned.signedQuery
            guard let time = Self.parse(amzDate: amzDate), now >= time.addingTimeInterval(-Self.allowedClockSkew),
                now <= time.addingTimeInterval(presigned.expires)
            else {
                throw AWSError.invalidSignature("Signature expired: the presigned URL of \(amzDate) is valid for \(Int(presigned.expires)) seconds")
            }
        } else {
            throw AWSError.missingAuthentication
        }
        guard authorization.service == service else {
            throw AWSError.invalidSignature("Credential should be scoped to correct service: '\(service)'")
        }
        guard let time = Self.parse(amzDate: amzDate) else {
            throw AWSError.incompleteSignature("X-Amz-Date must be yyyyMMdd'T'HHmmss'Z'")
        }
        guard amzDate.hasPrefix(authorization.date) else {
            throw AWSError.invalidSignature("the credential scope's date is not the date of X-Amz-Date")
        }
        // A presigned URL's own window was checked above; a signed header's date must be now.
        guard header == nil || abs(time.timeIntervalSince(now)) <= Self.allowedClockSkew else {
            throw AWSError.invalidSignature("Signature expired: \(amzDate) is more than 15 minutes from the server's time")
        }
        var payloadHash = request.payloadSHA256
        if let declared = request.values(of: "x-amz-content-sha256").first {
            guard declared == request.payloadSHA256 else {
                throw AWSError.invalidSignature("X-Amz-Content-SHA256 is not the SHA-256 of the body")
            }
            payloadHash = declared
        }
        let key = try await secret(authorization.accessKeyID)
        let expected = Self.signature(
            canonicalRequest: Self.canonicalRequest(
                request, query: signedQuery, signedHeaders: authorization.signedHeaders, payloadHash: payloadHash),
            amzDate: amzDate, authorization: authorization, secret: key)
        guard ConstantTime.equals(expected, authorization.signature) else {
            throw AWSError.invalidSignature(
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
        }
        return authorization
    }

    // MARK: The algorithm

    static func canonicalRequest(_ request: SigV4Request, query: String, signedHeaders: [String], payloadHash: String) -> String {
        let headers = signedHeaders.sorted().map { name in
            "\(name):" + request.values(of: name).map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.joined(separator: ",")
        }
        return [
            request.method.uppercased(), canonicalPath(request.path), canonicalQuery(query),
            headers.joined(separator: "\n") + "\n", signedHeaders.sorted().joined(separator: ";"), payloadHash,
        ].joined(separator: "\n")
    }

    static func signature(canonicalRequest: String, amzDate: String, authorization: SigV4Authorization, secret: String) -> String {
        let scope = "\(authorization.date)/\(authorization.region)/\(authorization.service)/aws4_request"
        let stringToSign = [SigV4Authorization.algorithm, amzDate, scope, Hex.encode(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secret)".utf8))
        for part in [authorization.date, authorization.region, authorization.service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// The path with dot segments removed, every byte but unreserved ones and `/` percent-encoded (the path as sent is
    /// encoded once more, as AWS does for every service but S3).
    static func canonicalPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        let normalized = "/" + segments.joined(separator: "/")
        return awsEncode(normalized, keepSlash: true)
    }

    /// Pairs decoded, encoded again the AWS way, sorted by key then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs: [(String, String)] = query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (awsEncode(key, keepSlash: false), awsEncode(value, keepSlash: false))
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func awsEncode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            let unreserved =
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~") || (keepSlash && byte == UInt8(ascii: "/"))
            if unreserved {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func parse(amzDate: String) -> Date? {
        let bytes = Array(amzDate.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
            let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        (components.hour, components.minute, components.second) = (hour, minute, second)
        let utc = TimeZone(secondsFromGMT: 0)
        components.timeZone = utc
        var calendar = Calendar(identifier: .gregorian)
        if let utc { calendar.timeZone = utc }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        return calendar.date(from: components)
    }
}

extension UInt8 {
    fileprivate var isLowercaseHexDigit: Bool {
        (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")) || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
    }
}
