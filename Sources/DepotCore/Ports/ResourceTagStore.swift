/// Persistence of resource tags (`ResourceTag`). A resource's tags go when the resource does.
public protocol ResourceTagStore: Sendable {
    /// The resource's tags, by key.
    func resourceTags(of resource: TaggedResource) async throws -> [ResourceTag]
    /// Adds `tags`, replacing the values of keys the resource has, in one transaction; throws `TooManyTags` (and
    /// changes nothing) when the resource would then carry more than `ResourceTag.maximumPerResource`.
    func tagResource(_ resource: TaggedResource, with tags: [ResourceTag]) async throws
    /// Removes the tags with these keys; keys the resource does not have are ignored.
    func untagResource(_ resource: TaggedResource, keys: [String]) async throws
}
