public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Durable storage of a binder's state in one JSON file, so an agent restart loses nothing: the
/// confirmed state, stamps and cursor of every collection, the writes awaiting their echo, the outbox
/// and the mutation counter.
///
/// Saving replaces the file atomically (write a temporary file, `fsync`, `rename`, `fsync` the
/// folder): after a crash the file holds either the old or the new state, never a mix.
public struct BinderStore: Sendable {
    /// The file the state lives in.
    public let url: URL

    public init(url: URL) { self.url = url }

    /// What a binder persists.
    struct Contents: Equatable {
        struct Collection: Equatable {
            var cursor: StreamCursor?
            var state: JSONObject
            var versions: [String: String]
            var awaitingEcho: [(seq: UInt64, ops: [JSON])]

            static func == (lhs: Collection, rhs: Collection) -> Bool {
                lhs.cursor == rhs.cursor && lhs.state == rhs.state && lhs.versions == rhs.versions
                    && lhs.awaitingEcho.elementsEqual(rhs.awaitingEcho) { $0.seq == $1.seq && $0.ops == $1.ops }
            }
        }

        var client: String
        var nextMutation: UInt64
        var latestStamp: String?
        var collections: [String: Collection]
        var outbox: [(collection: String, mutation: UInt64, ops: [JSON])]

        static func == (lhs: Contents, rhs: Contents) -> Bool {
            lhs.client == rhs.client && lhs.nextMutation == rhs.nextMutation && lhs.latestStamp == rhs.latestStamp
                && lhs.collections == rhs.collections
                && lhs.outbox.elementsEqual(rhs.outbox) { $0.collection == $1.collection && $0.mutation == $1.mutation && $0.ops == $1.ops }
        }
    }

    /// Why the stored state could not be read or written.
    public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    // MARK: Reading

    /// The stored contents, or `nil` when there is no file yet.
    func load() throws(StoreError) -> Contents? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: url)) } catch { throw StoreError(message: "cannot read \(url.path): \(error)") }
        let json: JSON
        do { json = try JSON(parsing: bytes) } catch { throw StoreError(message: "\(url.path) is not JSON: \(error)") }
        func fail(_ what: String) -> StoreError { StoreError(message: "\(url.path): \(what)") }
        guard json["format"]?.stringValue == "tether-binder", json["version"]?.intValue == 1 else {
            throw fail("not a tether-binder version 1 file")
        }
        guard let client = json["client"]?.stringValue, let next = json["nextMutation"]?.int64Value, next >= 1,
              case .object(let collectionsJSON)? = json["collections"], case .array(let outboxJSON)? = json["outbox"]
        else { throw fail("missing client, nextMutation, collections or outbox") }
        var collections: [String: Contents.Collection] = [:]
        for (name, entry) in collectionsJSON {
            var cursor: StreamCursor?
            if case .object(let c)? = entry["cursor"] {
                guard let epoch = c["epoch"]?.stringValue, let seq = c["seq"]?.int64Value, seq >= 0 else { throw fail("bad cursor of \(name)") }
                cursor = StreamCursor(epoch: epoch, seq: UInt64(seq))
            }
            guard case .object(let state)? = entry["state"], case .object(let versionsJSON)? = entry["versions"],
                  case .array(let echoJSON)? = entry["awaitingEcho"]
            else { throw fail("bad collection \(name)") }
            var versions: [String: String] = [:]
            for (pointer, stamp) in versionsJSON {
                guard let stamp = stamp.stringValue else { throw fail("bad stamp at \(pointer)") }
                versions[pointer] = stamp
            }
            var echo: [(seq: UInt64, ops: [JSON])] = []
            for item in echoJSON {
                guard let seq = item["seq"]?.int64Value, seq >= 0, let ops = item["ops"]?.arrayValue else { throw fail("bad awaitingEcho of \(name)") }
                echo.append((UInt64(seq), ops))
            }
            collections[name] = Contents.Collection(cursor: cursor, state: state, versions: versions, awaitingEcho: echo)
        }
        var outbox: [(collection: String, mutation: UInt64, ops: [JSON])] = []
        for item in outboxJSON {
            guard let collection = item["collection"]?.stringValue, let mutation = item["mutation"]?.int64Value, mutation >= 1,
                  let ops = item["ops"]?.arrayValue
            else { throw fail("bad outbox entry") }
            outbox.append((collection, UInt64(mutation), ops))
        }
        return Contents(client: client, nextMutation: UInt64(next), latestStamp: json["latestStamp"]?.stringValue,
                        collections: collections, outbox: outbox)
    }

    // MARK: Writing

    func save(_ contents: Contents) throws(StoreError) {
        var collections = JSONObject(minimumCapacity: contents.collections.count)
        for name in contents.collections.keys.sorted() {
            let c = contents.collections[name]!
            var versions = JSONObject(minimumCapacity: c.versions.count)
            for pointer in c.versions.keys.sorted() { versions[pointer] = .string(c.versions[pointer]!) }
            collections[name] = [
                "cursor": c.cursor.map { ["epoch": .string($0.epoch), "seq": .int(Int64($0.seq))] } ?? .null,
                "state": .object(c.state),
                "versions": .object(versions),
                "awaitingEcho": .array(c.awaitingEcho.map { ["seq": .int(Int64($0.seq)), "ops": .array($0.ops)] }),
            ]
        }
        let json: JSON = [
            "format": "tether-binder", "version": 1,
            "client": .string(contents.client),
            "nextMutation": .int(Int64(contents.nextMutation)),
            "latestStamp": contents.latestStamp.map { .string($0) } ?? .null,
            "collections": .object(collections),
            "outbox": .array(contents.outbox.map {
                ["collection": .string($0.collection), "mutation": .int(Int64($0.mutation)), "ops": .array($0.ops)]
            }),
        ]
        try Self.atomicWrite(json.serializedBytes(), to: url)
    }

    /// Writes `bytes` to `url` so that the file is replaced whole or not at all, and durably.
    static func atomicWrite(_ bytes: [UInt8], to url: URL) throws(StoreError) {
        let directory = url.deletingLastPathComponent().path
        let temporary = url.path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw StoreError(message: "cannot create \(temporary): errno \(errno)") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                unlink(temporary)
                throw StoreError(message: "cannot write \(temporary): errno \(code)")
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            unlink(temporary)
            throw StoreError(message: "fsync \(temporary) failed: errno \(code)")
        }
        close(fd)
        guard rename(temporary, url.path) == 0 else {
            let code = errno
            unlink(temporary)
            throw StoreError(message: "cannot replace \(url.path): errno \(code)")
        }
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}
