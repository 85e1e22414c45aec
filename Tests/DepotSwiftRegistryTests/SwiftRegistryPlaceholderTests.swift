import Testing
@testable import DepotSwiftRegistry
