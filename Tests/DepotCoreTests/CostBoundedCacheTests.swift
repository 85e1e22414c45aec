import DepotCore
import Testing

@Suite("CostBoundedCache")
struct CostBoundedCacheTests {
    @Test("keeps the total cost within the budget, evicting least recently used entries first")
    func evictsLeastRecentlyUsed() {
        let cache = CostBoundedCache<String>(budget: 100)
        for index in 0..<5 { cache.set("v\(index)", forKey: "k\(index)", cost: 20) }
        #expect(cache.totalCost == 100 && cache.count == 5)
        // k0 is used, so k1 is now the oldest.
        #expect(cache.value(forKey: "k0") == "v0")
        cache.set("v5", forKey: "k5", cost: 20)
        #expect(cache.totalCost <= 100)
        #expect(cache.value(forKey: "k1") == nil)
        #expect(cache.value(forKey: "k0") == "v0")
        #expect(cache.value(forKey: "k5") == "v5")
    }

    @Test("replacing a key replaces its cost; a value over the budget is not kept and drops the old one")
    func replacementAndOversized() {
        let cache = CostBoundedCache<String>(budget: 100)
        cache.set("a", forKey: "k", cost: 40)
        cache.set("b", forKey: "k", cost: 10)
        #expect(cache.totalCost == 10 && cache.value(forKey: "k") == "b")
        cache.set("huge", forKey: "k", cost: 101)
        #expect(cache.value(forKey: "k") == nil && cache.totalCost == 0)
    }

    @Test("many large values: memory stays bounded whatever their number")
    func manyLargeValues() {
        let cache = CostBoundedCache<[UInt8]>(budget: 1 << 20)
        for index in 0..<200 { cache.set([UInt8](repeating: 1, count: 100_000), forKey: "k\(index)", cost: 100_000) }
        #expect(cache.totalCost <= 1 << 20)
        #expect(cache.count <= 10)
        #expect(cache.value(forKey: "k199") != nil)
    }
}
