import DepotHTTP
import ServiceLifecycle

/// Runs the access log's writer beside the server; on shutdown it writes what is buffered and stops.
struct AccessLogWriter: Service {
    let log: AccessLog?

    func run() async throws {
        guard let log else {
            // A service that returns would end the server: stay until shutdown.
            try? await gracefulShutdown()
            return
        }
        await withGracefulShutdownHandler {
            await log.run()
        } onGracefulShutdown: {
            log.close()
        }
    }
}
