import DepotBuild
import Testing

@Suite struct BuildStatusTests {
    @Test func spellsStatusesAsCodeBuild() {
        #expect(BuildStatus.timedOut.rawValue == "TIMED_OUT")
        #expect(BuildStatus(rawValue: "IN_PROGRESS") == .inProgress)
    }
}
