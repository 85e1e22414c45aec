import DepotBuild
import Foundation

@testable import DepotAWS

extension FuzzTargets {
    /// The SigV4 `Authorization` header, `X-Amz-Date`, the canonical path and query built from raw request bytes, and a
    /// presigned URL's query.
    static let sigV4 = FuzzTarget(name: "sigv4", summary: "AWS SigV4 Authorization header, X-Amz-Date, canonical path and query, presigned query") { bytes in
        let input = FuzzInput(bytes)
        let text = input.text
        switch input.selector % 5 {
        case 0:
            if let parsed = try? SigV4Authorization(header: text) {
                check(parsed.signature.utf8.count == 64 && parsed.signedHeaders.contains("host"), "accepted a malformed header")
            }
        case 1: _ = SigV4Verifier.parse(amzDate: text)
        case 2:
            let path = SigV4Verifier.canonicalPath(text)
            check(path.hasPrefix("/"), "a canonical path must start with /")
        case 3: _ = SigV4Verifier.canonicalQuery(text)
        default:
            if let presigned = try? PresignedQuery(text) {
                let keys = presigned.signedQuery.split(separator: "&").map { pair in
                    let key = String(pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0])
                    return key.removingPercentEncoding ?? key
                }
                check(!keys.contains("X-Amz-Signature"), "the signature is part of what was signed")
            }
        }
    }

    /// CloudWatch Logs' inputs and a build's log as GetLogEvents reads it: filter patterns (then matched against the
    /// rest), next tokens, and log text whose lines may carry any `[Container]` stamp.
    static let awsLogs = FuzzTarget(name: "aws-logs", summary: "CloudWatch Logs filter patterns, next tokens, build log lines and stamps") { bytes in
        let input = FuzzInput(bytes)
        let text = input.text
        switch input.selector % 3 {
        case 0:
            let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            if let pattern = try? LogFilterPattern(String(parts[0])) { _ = pattern.matches(parts.count > 1 ? String(parts[1]) : "") }
        case 1:
            if let token = LogToken(text) { check(LogToken(token.text) == token, "a token does not read back") }
        default:
            let log = BuildLogText(MemoryBlobReader(Array(text.utf8)))
            _ = try? BuildLogEvents.scan(log, from: LogPosition(offset: 0, time: 0), complete: true) { _ in true }
        }
    }
}
