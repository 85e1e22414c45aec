/// What the build's shell produces: output lines, the exit status of a command it finished, or its end.
enum ShellEvent: Sendable, Equatable {
    case output(String)
    case commandExited(Int32)
    case variable(name: String, value: String)
    case shellEnded
}
