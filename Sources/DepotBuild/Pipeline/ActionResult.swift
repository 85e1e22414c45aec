/// How an action ended, as its job worker (PutJobSuccessResult / PutJobFailureResult) or approver
/// (PutApprovalResult) reports it.
public enum ActionResult: Sendable, Hashable, Codable {
    /// At most `maxOutputVariables`, each name a variable name and value at most 1000 characters.
    case succeeded(outputVariables: [String: String], summary: String?)
    case failed(summary: String)
    case approved(summary: String?)
    case rejected(summary: String?)
    /// The approval was not answered within its `ExpiresInMinutes`.
    case expired

    public static let maxOutputVariables = 100
    public static let maxSummaryLength = 2048
}
