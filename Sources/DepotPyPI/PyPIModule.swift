import DepotClientConfig
import DepotCore
import DepotHTTP

/// PyPI as the server registers it: the one value this module exports.
public enum PyPIModule {
    public static var registration: FormatModule {
        FormatModule(
            format: PyPIFormat(), upstream: PyPIUpstreamFormat(),
            externalConnection: ExternalConnectionDefault(
                name: "public:pypi", url: "https://pypi.org/simple/", environmentVariable: "DEPOT_PYPI_URL",
                extraHosts: ["files.pythonhosted.org"]),
            client: PyPIClientConfigurator(), presentation: PyPIPresentation(), errorStyle: .registry, permissions: PyPIController.permissions
        ) { router, services in
            PyPIController(
                repositories: services.repositories, packages: services.packages, upstreams: services.upstreams, baseURL: services.baseURL,
                maxUploadSize: services.maxUploadSize, limits: services.limits, downloads: services.downloads,
                changes: ChangeCounter(feed: services.changes)
            ).addRoutes(to: router)
        }
    }
}
