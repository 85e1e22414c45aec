import DepotCore
import DepotStorage
import Foundation
import Testing

@Suite struct PipelineStoreTests {
    private func pipeline(_ name: String, record: String = "{}") -> StoredPipeline {
        StoredPipeline(
            domain: "acme", name: name, definition: "name: \(name)", record: Data(record.utf8), createdBy: "admin",
            createdAt: Date(timeIntervalSince1970: 1000), updatedAt: Date(timeIntervalSince1970: 1000))
    }

    @Test func createsReadsListsAndRefusesDuplicates() async throws {
        let fixture = try StorageFixture()
        try await fixture.store.createPipeline(pipeline("b"))
        try await fixture.store.createPipeline(pipeline("a"))
        await #expect(throws: DepotError.self) { try await fixture.store.createPipeline(pipeline("a")) }
        #expect(try await fixture.store.listPipelines(domain: "acme", page: PageRequest(limit: 10)).items.map(\.name) == ["a", "b"])
        #expect(try await fixture.store.listPipelines(domain: "other", page: PageRequest(limit: 10)).items.isEmpty)
        // Page by page, by name: the token continues after the last one.
        let first = try await fixture.store.listPipelines(domain: "acme", page: PageRequest(limit: 1))
        #expect(first.items.map(\.name) == ["a"] && first.next != nil)
        let second = try await fixture.store.listPipelines(domain: "acme", page: PageRequest(limit: 1, after: first.next))
        #expect(second.items.map(\.name) == ["b"] && second.next == nil)
        #expect(try await fixture.store.pipeline(domain: "acme", name: "a") == pipeline("a"))
        #expect(try await fixture.store.allPipelines().count == 2)
    }

    @Test func savesTheRecordWithItsEventsAndPagesThem() async throws {
        let fixture = try StorageFixture()
        try await fixture.store.createPipeline(pipeline("p"))
        try await fixture.store.createPipeline(pipeline("q"))
        var saved = pipeline("p", record: #"{"x":1}"#)
        saved.updatedAt = Date(timeIntervalSince1970: 2000)
        let events = (1...3).map {
            StoredPipelineEvent(executionId: "e1", time: Date(timeIntervalSince1970: 1500), type: "T\($0)", stageName: "S", actionName: nil, detail: "d")
        }
        try await fixture.store.savePipeline(saved, appending: events)
        try await fixture.store.savePipeline(pipeline("q"), appending: [events[0]])
        #expect(try await fixture.store.pipeline(domain: "acme", name: "p") == saved)
        let all = try await fixture.store.pipelineEvents(domain: "acme", name: "p", after: 0, limit: 10)
        #expect(all.map(\.type) == ["T1", "T2", "T3"])
        #expect(all[0].stageName == "S" && all[0].actionName == nil && all[0].time == Date(timeIntervalSince1970: 1500))
        let rest = try await fixture.store.pipelineEvents(domain: "acme", name: "p", after: all[0].id, limit: 1)
        #expect(rest.map(\.type) == ["T2"])
        await #expect(throws: DepotError.self) { try await fixture.store.savePipeline(pipeline("missing"), appending: []) }
    }

    @Test func deletingRemovesTheEventsAndTheHoldOnItsBlobs() async throws {
        let fixture = try StorageFixture()
        try await fixture.store.createPipeline(pipeline("p"))
        try await fixture.store.addBuildBlobs(buildID: "pipeline:acme/p", sha256: ["a1"])
        try await fixture.store.addBuildBlobs(buildID: "pipeline:acme/q", sha256: ["b2"])
        try await fixture.store.savePipeline(
            pipeline("p"), appending: [StoredPipelineEvent(executionId: "e", time: Date(), type: "T", stageName: nil, actionName: nil, detail: "")])
        #expect(try await fixture.store.deletePipeline(domain: "acme", name: "p"))
        #expect(try await fixture.store.deletePipeline(domain: "acme", name: "p") == false)
        #expect(try await fixture.store.pipelineEvents(domain: "acme", name: "p", after: 0, limit: 10).isEmpty)
        #expect(try await !fixture.store.isBlobReferenced(sha256: "a1"))
        #expect(try await fixture.store.isBlobReferenced(sha256: "b2"))
    }

    /// A domain created again under the name must find nothing: pipelines, events and artifact blobs go with it
    /// (another domain's, even one whose name extends it, stay).
    @Test func deletingTheDomainRemovesItsPipelinesAndReleasesTheirBlobs() async throws {
        let fixture = try StorageFixture()
        let domain = try await fixture.repositories.createDomain(name: "acme")
        try await fixture.store.createPipeline(pipeline("p"))
        var other = pipeline("p")
        other.domain = "acme2"
        try await fixture.store.createPipeline(other)
        let event = StoredPipelineEvent(executionId: "e", time: Date(timeIntervalSince1970: 1500), type: "T", stageName: nil, actionName: nil, detail: "")
        try await fixture.store.savePipeline(pipeline("p"), appending: [event])
        try await fixture.store.addBuildBlobs(buildID: "pipeline:acme/p", sha256: ["a1"])
        try await fixture.store.addBuildBlobs(buildID: "pipeline:acme2/p", sha256: ["b2"])

        let released = try await fixture.store.deleteDomain(id: domain.id)
        #expect(released == ["a1"])
        #expect(try await fixture.store.pipeline(domain: "acme", name: "p") == nil)
        #expect(try await fixture.store.pipelineEvents(domain: "acme", name: "p", after: 0, limit: 10).isEmpty)
        #expect(try await fixture.store.pipeline(domain: "acme2", name: "p") != nil)
    }
}
