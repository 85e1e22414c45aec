import DepotClientConfig
import DepotCore
import DepotHTTP

/// The Swift package registry as the server registers it: the one value this module exports. It has no public
/// registry to proxy, so no upstream adapter and no external connection.
public enum SwiftRegistryModule {
    public static var registration: FormatModule {
        FormatModule(
            format: SwiftRegistryFormat(), upstream: nil, externalConnection: nil, client: SwiftRegistryClientConfigurator(),
            presentation: SwiftRegistryPresentation(), errorStyle: ProblemDetails.style, permissions: SwiftRegistryController.permissions
        ) { router, services in
            SwiftRegistryController(
                repositories: services.repositories, packages: services.packages, upstreams: services.upstreams,
                uploads: services.uploads, baseURL: services.baseURL, maxUploadSize: services.maxUploadSize, limits: services.limits,
                downloads: services.downloads, changes: ChangeCounter(feed: services.changes)
            ).addRoutes(to: router)
        }
    }
}
