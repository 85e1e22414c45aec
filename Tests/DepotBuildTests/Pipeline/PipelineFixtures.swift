/// The README's example: Source -> two parallel builds -> Approval -> Promote -> AppSpec deploy.
enum PipelineFixtures {
    static let readmeExample = """
        name: web-app
        executionMode: SUPERSEDED
        variables:
          - name: Channel
            defaultValue: beta
            description: where the release goes
        stages:
          - name: Source
            actions:
              - name: Checkout
                actionTypeId: {category: Source, provider: Git}
                configuration:
                  Repository: https://git.example.com/acme/web-app.git
                  Branch: main
                outputArtifacts: [SourceOutput]
                namespace: SourceVariables
          - name: Build
            actions:
              - name: Package
                category: Build
                provider: Depot
                configuration:
                  ProjectName: web-app
                  EnvironmentVariables:
                    COMMIT: "#{SourceVariables.CommitId}"
                    CHANNEL: "#{variables.Channel}"
                inputArtifacts: [SourceOutput]
                outputArtifacts: [BuildOutput]
                namespace: BuildVariables
              - name: UnitTests
                category: Test
                provider: Depot
                configuration:
                  Buildspec: |
                    version: 0.2
                    phases:
                      build:
                        commands:
                          - npm test
                inputArtifacts: [SourceOutput]
          - name: Approve
            actions:
              - name: Release
                category: Approval
                provider: Manual
                configuration:
                  CustomData: "Release #{BuildVariables.VERSION} (#{SourceVariables.CommitId})?"
                  ExpiresInMinutes: 60
          - name: Release
            actions:
              - name: Promote
                category: Deploy
                provider: Promote
                configuration:
                  Format: npm
                  Package: web-app
                  Versions: "#{BuildVariables.VERSION}"
                  SourceRepository: staging
                  DestinationRepository: releases
              - name: Deploy
                category: Deploy
                provider: AppSpec
                runOrder: 2
                configuration:
                  TargetDirectory: /srv/web-app
                  ApplicationName: web-app
                  DeploymentGroupName: production
                inputArtifacts: [BuildOutput]
        """
}
