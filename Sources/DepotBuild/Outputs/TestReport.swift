/// A report group's results: totals and the cases that did not pass.
public struct TestReport: Sendable, Codable, Equatable {
    public struct Failure: Sendable, Codable, Equatable {
        public var suite: String
        public var name: String
        public var className: String?
        public var message: String
        /// `FAILED` (an assertion) or `ERROR` (the test crashed).
        public var kind: String
    }

    public var group: String
    public var files: [String]
    public var total: Int
    public var passed: Int
    public var failed: Int
    public var skipped: Int
    public var durationSeconds: Double
    public var failures: [Failure]

    public init(
        group: String, files: [String] = [], total: Int = 0, passed: Int = 0, failed: Int = 0, skipped: Int = 0,
        durationSeconds: Double = 0, failures: [Failure] = []
    ) {
        self.group = group
        self.files = files
        self.total = total
        self.passed = passed
        self.failed = failed
        self.skipped = skipped
        self.durationSeconds = durationSeconds
        self.failures = failures
    }

    /// Adds another file's results to this group.
    mutating func add(_ other: TestReport) {
        files += other.files
        total += other.total
        passed += other.passed
        failed += other.failed
        skipped += other.skipped
        durationSeconds += other.durationSeconds
        failures += other.failures
    }
}
