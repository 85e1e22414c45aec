import DepotCore
import Foundation
import Hummingbird

/// Reads `Authorization: Bearer <token>` or HTTP Basic (token as password, any username) and sets the identity.
/// No header: the request goes on anonymously and each route decides. A bad token: 401 at once.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = DepotRequestContext
    private let access: AccessService

    public init(access: AccessService) {
        self.access = access
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let secret = Self.presentedSecret(request.headers[.authorization]) {
            context.identity = try await access.authenticate(secret: secret)
        }
        return try await next(request, context)
    }

    /// The secret of a Bearer header, the password of a Basic header, or a bare Depot token: Cargo sends the
    /// token as the whole `Authorization` value.
    public static func presentedSecret(_ header: String?) -> String? {
        guard let header else { return nil }
        guard let space = header.firstIndex(of: " ") else {
            return header.utf8.starts(with: AccessService.secretPrefix.utf8) ? header : nil
        }
        let scheme = header[..<space]
        let value = header[header.index(after: space)...].trimmingBlanks()
        guard !value.isEmpty else { return nil }
        if scheme.utf8.elementsEqual("Bearer".utf8) || scheme.lowercased() == "bearer" {
            return String(value)
        }
        guard scheme.lowercased() == "basic", let data = Data(base64Encoded: String(value)),
            let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":")
        else { return nil }
        return String(pair[pair.index(after: colon)...])
    }
}
