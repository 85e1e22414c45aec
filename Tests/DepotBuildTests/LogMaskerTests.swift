import DepotBuild
import Testing

@Suite struct LogMaskerTests {
    @Test func masksEverySecretLongestFirst() {
        let masker = LogMasker(secrets: ["dpt_abc123", "dpt_abc123xyz", "s3cr3t", "x", ""])
        #expect(masker.mask("token dpt_abc123xyz and dpt_abc123, pw=s3cr3t x") == "token *** and ***, pw=*** x")
    }

    /// The log is masked one line at a time: `echo "$KEY"` of a PEM key prints its lines one by one.
    @Test func masksEachLineOfAMultiLineSecret() {
        let key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n  AQEFAASCBKcwggSjAgEAAoIB\n}\n-----END PRIVATE KEY-----\n"
        let masker = LogMasker(secrets: [key, "single-line-secret"])
        let printed = key.split(separator: "\n").map { masker.mask(String($0)) }
        #expect(printed == ["***", "***", "  ***", "}", "***"])
        #expect(masker.mask("a single-line-secret here") == "a *** here")
        #expect(masker.mask("whole: \(key)") == "whole: ***")
    }
}
