import DepotBuild
import Testing

@Suite struct LogMaskerTests {
    @Test func masksEverySecretLongestFirst() {
        let masker = LogMasker(secrets: ["dpt_abc123", "dpt_abc123xyz", "s3cr3t", "x", ""])
        #expect(masker.mask("token dpt_abc123xyz and dpt_abc123, pw=s3cr3t x") == "token *** and ***, pw=*** x")
    }
}
