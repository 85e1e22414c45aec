import DepotClientConfig
import DepotHTTP

/// npm as the server registers it: the one value this module exports.
public enum NpmModule {
    public static var registration: FormatModule {
        FormatModule(
            format: NpmFormat(), upstream: NpmUpstreamFormat(),
            externalConnection: ExternalConnectionDefault(
                name: "public:npmjs", url: "https://registry.npmjs.org/", environmentVariable: "DEPOT_NPMJS_URL"),
            client: NpmClientConfigurator(), presentation: NpmPresentation(), errorStyle: .registry, permissions: NpmController.permissions
        ) { router, services in
            NpmController(
                repositories: services.repositories, packages: services.packages, upstreams: services.upstreams, access: services.access,
                baseURL: services.baseURL, maxUploadSize: services.maxUploadSize, limits: services.limits, downloads: services.downloads
            ).addRoutes(to: router)
        }
    }
}
