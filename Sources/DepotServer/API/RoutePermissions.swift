import DepotAWS
import DepotHTTP

/// Every route's permission as its controller declares it: a test checks the router against this list and that
/// the README's route table is this list.
func routePermissions() -> [RoutePermission] {
    OperationsController.permissions + DomainController.permissions + RepositoryController.permissions
        + TokenController.permissions + PackageController.permissions + BuildController.permissions
        + SecretController.permissions + PipelineController.permissions + registeredFormats().permissions + ConsoleController.permissions
        + AWSControlPlane.permissions
}
