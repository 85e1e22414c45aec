import Testing
@testable import DepotCargo
