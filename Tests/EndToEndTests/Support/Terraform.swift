import Foundation
import Testing

/// Terraform with the hashicorp/aws provider from the machine's provider mirror (no registry is reached), run in one
/// directory of a workspace with the given AWS key pair, against Depot's AWS endpoints.
struct Terraform {
    let binary: String
    let directory: URL
    private var environment: [String: String]

    init(_ ws: Workspace, keys: AWSKeyPair) throws {
        let mirror = ProcessInfo.processInfo.environment["DEPOT_TERRAFORM_PLUGIN_MIRROR"] ?? "/opt/tf-plugins"
        binary = try #require(
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/terraform" }
                .first { FileManager.default.isExecutableFile(atPath: $0) },
            "terraform is not installed")
        try #require(
            FileManager.default.fileExists(atPath: "\(mirror)/registry.terraform.io/hashicorp/aws"),
            "the hashicorp/aws provider is not in the mirror \(mirror) (DEPOT_TERRAFORM_PLUGIN_MIRROR)")
        directory = try ws.directory("terraform")
        let cliConfig = ws.root.appendingPathComponent("terraformrc")
        try Data("""
            provider_installation {
              filesystem_mirror {
                path    = "\(mirror)"
                include = ["registry.terraform.io/hashicorp/aws"]
              }
              direct { exclude = ["registry.terraform.io/hashicorp/aws"] }
            }
            """.utf8).write(to: cliConfig)
        environment = keys.environment
        environment["TF_CLI_CONFIG_FILE"] = cliConfig.path
        environment["TF_IN_AUTOMATION"] = "1"
        environment["TF_DATA_DIR"] = directory.appendingPathComponent(".terraform").path
    }

    /// Writes `main.tf`: the provider pointed at `endpoints` (service name to URL), then `resources`.
    func configure(endpoints: [String: String], resources: String) throws {
        let lines = endpoints.sorted { $0.key < $1.key }.map { "    \($0.key) = \"\($0.value)\"" }.joined(separator: "\n")
        try Data("""
            terraform {
              required_providers {
                aws = { source = "hashicorp/aws" }
              }
            }
            provider "aws" {
              region                      = "us-east-1"
              skip_credentials_validation = true
              skip_requesting_account_id  = true
              skip_metadata_api_check     = true
              endpoints {
            \(lines)
              }
            }
            \(resources)
            """.utf8).write(to: directory.appendingPathComponent("main.tf"))
    }

    func run(_ arguments: [String]) throws -> CommandResult {
        try Command.run(binary, arguments + ["-no-color", "-input=false"], in: directory, environment: environment)
    }
}
