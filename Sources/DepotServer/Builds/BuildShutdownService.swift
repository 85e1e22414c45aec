import ServiceLifecycle

/// Stops running builds when the server shuts down (SIGINT/SIGTERM), so they end STOPPED with their log and
/// artifacts stored instead of being left for the next start's FAULT sweep.
struct BuildShutdownService: Service {
    let builds: BuildService

    func run() async throws {
        // Returns (or throws on cancellation) once shutdown begins; either way the builds must stop.
        try? await gracefulShutdown()
        await builds.stopAll()
    }
}
