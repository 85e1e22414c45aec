import ArgumentParser
import Foundation

/// Reports a command's failure on standard error as one `depot: ...` line and exits with its code.
enum CLIFailure {
    static func exit(_ error: Error, command: DepotCommand.Type) -> Never {
        switch error {
        case let error as ClientError:
            report(error.description, code: error.exitCode.rawValue)
        case is ExitCode, is CleanExit:
            command.exit(withError: error)
        default:
            let code = command.exitCode(for: error)
            if code == .success { command.exit(withError: error) }
            if code == .validationFailure {
                // Usage errors keep ArgumentParser's text (what was wrong and the usage line), with exit code 2.
                FileHandle.standardError.write(Data((command.fullMessage(for: error) + "\n").utf8))
                Foundation.exit(CLIExitCode.usage.rawValue)
            }
            report(words(for: error), code: code.rawValue)
        }
    }

    /// An error as a sentence: Foundation's errors by their localized text, never as a type dump.
    static func words(for error: Error) -> String {
        switch error {
        case let error as CocoaError: error.localizedDescription
        case let error as CustomStringConvertible: error.description
        default: error.localizedDescription
        }
    }

    private static func report(_ line: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("depot: \(line)\n".utf8))
        Foundation.exit(code)
    }
}
