import DepotCore

/// Splits the body of `PUT /api/v1/crates/new` as it arrives: a u32 little-endian length, that many bytes of
/// JSON (kept, bounded), a u32 little-endian length, that many bytes of `.crate` (streamed into a blob writer,
/// never held). Any chunking gives the same result; a body that ends early, runs on, or declares a length over
/// its limit is refused. Lengths are read as UInt32 into Int and only compared or reduced by what arrived, so no
/// arithmetic can overflow.
public struct CargoPublishBody {
    public struct Limits: Sendable, Equatable {
        public var maxJSON: Int
        public var maxCrate: Int

        public init(maxJSON: Int, maxCrate: Int) {
            self.maxJSON = maxJSON
            self.maxCrate = maxCrate
        }
    }

    /// What a complete body held.
    public struct Parts {
        public var json: [UInt8]
        /// Finished by the caller; holds exactly `crateSize` bytes.
        public var writer: any BlobWriter
        public var crateSize: Int
    }

    private enum State {
        case jsonLength, json(remaining: Int), crateLength, crate(remaining: Int), done
    }

    private let limits: Limits
    private let makeWriter: () throws -> any BlobWriter
    private var state = State.jsonLength
    private var lengthBytes: [UInt8] = []
    private var json: [UInt8] = []
    private var crateSize = 0
    /// The first bytes of the `.crate`, to check the gzip magic.
    private var crateHead: [UInt8] = []
    /// The writer receiving the `.crate` (its owner, the upload, discards it if anything fails).
    public private(set) var writer: (any BlobWriter)?

    public init(limits: Limits, makeWriter: @escaping () throws -> any BlobWriter) {
        self.limits = limits
        self.makeWriter = makeWriter
    }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            switch state {
            case .jsonLength, .crateLength:
                let take = min(4 - lengthBytes.count, rest.count)
                lengthBytes.append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                if lengthBytes.count == 4 { try lengthComplete() }
            case .json(let remaining):
                let take = min(remaining, rest.count)
                json.append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                state = remaining - take == 0 ? .crateLength : .json(remaining: remaining - take)
            case .crate(let remaining):
                let take = min(remaining, rest.count)
                let piece = rest.prefix(take)
                if crateHead.count < 2 { crateHead.append(contentsOf: piece.prefix(2 - crateHead.count)) }
                try writer?.write(UnsafeRawBufferPointer(rebasing: piece))
                rest = rest.dropFirst(take)
                state = remaining - take == 0 ? .done : .crate(remaining: remaining - take)
            case .done:
                throw DepotError.badRequest("the publish body continues after the .crate it declares", code: "MalformedBody")
            }
        }
    }

    /// The parts of a complete body; throws when it ended early or the crate is not a gzip stream.
    public func finish() throws -> Parts {
        guard case .done = state, let writer else {
            throw DepotError.badRequest(
                "the publish body ends early: expected a u32 JSON length, the JSON, a u32 crate length and the .crate",
                code: "MalformedBody")
        }
        guard crateHead == [0x1f, 0x8b] else {
            throw DepotError.badRequest("the .crate is not a gzip-compressed tar archive", code: "MalformedCrate")
        }
        return Parts(json: json, writer: writer, crateSize: crateSize)
    }

    private mutating func lengthComplete() throws {
        let length = lengthBytes.reversed().reduce(0) { ($0 << 8) | Int($1) }
        lengthBytes.removeAll(keepingCapacity: true)
        if case .jsonLength = state {
            guard length > 0 else { throw DepotError.badRequest("the publish metadata is empty", code: "MalformedBody") }
            guard length <= limits.maxJSON else {
                throw DepotError.tooLarge("the publish metadata is larger than the limit of \(limits.maxJSON) bytes")
            }
            json.reserveCapacity(min(length, 64 << 10))  // declared, not yet received
            state = .json(remaining: length)
        } else {
            guard length > 0 else { throw DepotError.badRequest("the .crate is empty", code: "MalformedCrate") }
            guard length <= limits.maxCrate else {
                throw DepotError.tooLarge("the .crate is larger than the limit of \(limits.maxCrate) bytes")
            }
            crateSize = length
            writer = try makeWriter()
            state = .crate(remaining: length)
        }
    }
}
