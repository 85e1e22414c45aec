import NIOCore
import NIOPosix

/// Runs Swift concurrency's global executor on the server's event loops: a request's task then stays on the
/// thread that read it instead of hopping to the cooperative pool and back (two thread wake-ups per request,
/// most of the scheduling cost a profile shows under load). Call once, first thing in `depot serve`.
public enum EventLoopExecutor {
    @discardableResult
    public static func takeOverGlobalExecutor() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
