import DepotClientConfig
import DepotCore
import DepotHTTP

/// Maven as the server registers it: the one value this module exports.
public enum MavenModule {
    public static var registration: FormatModule {
        FormatModule(
            format: MavenFormat(), upstream: MavenUpstreamFormat(),
            externalConnection: ExternalConnectionDefault(
                name: "public:maven-central", url: "https://repo1.maven.org/maven2/", environmentVariable: "DEPOT_MAVEN_CENTRAL_URL"),
            client: MavenClientConfigurator(), presentation: MavenPresentation(), errorStyle: .registry, permissions: MavenController.permissions
        ) { router, services in
            MavenController(
                repositories: services.repositories, packages: services.packages, upstreams: services.upstreams,
                maxUploadSize: services.maxUploadSize, limits: services.limits, downloads: services.downloads,
                changes: ChangeCounter(feed: services.changes)
            ).addRoutes(to: router)
        }
    }
}
