import DepotClientConfig
import DepotHTTP

/// Cargo's sparse registry as the server registers it: the one value this module exports.
public enum CargoModule {
    public static var registration: FormatModule {
        FormatModule(
            format: CargoFormat(), upstream: CargoUpstreamFormat(),
            externalConnection: ExternalConnectionDefault(
                name: CargoUpstreamFormat.connectionName, url: CargoUpstreamFormat.defaultIndexURL, environmentVariable: "DEPOT_CRATES_IO_URL",
                extraHosts: [CargoUpstreamFormat.crateHost]),
            client: CargoClientConfigurator(), presentation: CargoPresentation(), errorStyle: .cargo, permissions: CargoController.permissions
        ) { router, services in
            CargoController(
                repositories: services.repositories, packages: services.packages, upstreams: services.upstreams, uploads: services.uploads, baseURL: services.baseURL,
                maxUploadSize: services.maxUploadSize, limits: services.limits, downloads: services.downloads
            ).addRoutes(to: router)
        }
    }
}
