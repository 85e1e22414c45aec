/// A Deploy/AppSpec action's resolved configuration: which AppSpec of the input artifact to apply, where.
public struct AppSpecDeployConfiguration: Sendable, Hashable {
    public static let defaultAppSpec = "appspec.yml"

    public var appSpecPath: String
    public var targetDirectory: String
    public var applicationName: String
    public var deploymentGroupName: String

    public init?(_ configuration: [String: String]) {
        let appSpec = configuration["AppSpec"] ?? Self.defaultAppSpec
        guard AppSpecPath.isRelative(appSpec), let target = configuration["TargetDirectory"], AppSpecPath.isAbsoluteDestination(target),
            let application = configuration["ApplicationName"], PipelineLimits.isName(application),
            let group = configuration["DeploymentGroupName"], PipelineLimits.isName(group)
        else { return nil }
        appSpecPath = appSpec
        targetDirectory = target
        applicationName = application
        deploymentGroupName = group
    }
}
