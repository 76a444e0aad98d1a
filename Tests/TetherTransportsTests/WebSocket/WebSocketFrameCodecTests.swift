import Testing
import TetherTestSupport
@testable import TetherTransports

@Suite struct WebSocketFrameCodecTests {
    /// A server-style (unmasked) frame; `rawLength` overrides the header length for lying headers.
    static func serverFrame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
        var out: [UInt8] = []
        if let known = WebSocketOpcode(rawValue: opcode) {
            WebSocketFrameEncoder.encode(fin: fin, opcode: known, payload: payload, maskKey: nil, into: &out)
        } else {
            WebSocketFrameEncoder.encode(fin: fin, opcode: .binary, payload: payload, maskKey: nil, into: &out)
            out[0] = (out[0] & 0xF0) | opcode
        }
        out[0] |= rsv << 4
        return out
    }

    /// Feeds `bytes` in the given chunk sizes (cycled) and collects events until the first failure.
    static func events(_ bytes: [UInt8], chunks: [Int], maxMessageSize: Int = 1 << 20) -> ([WebSocketInbound], WebSocketFailure?) {
        var reader = WebSocketReader(maxMessageSize: maxMessageSize)
        var events: [WebSocketInbound] = []
        var offset = 0
        var chunkIndex = 0
        while offset < bytes.count {
            let size = max(1, chunks[chunkIndex % chunks.count])
            chunkIndex += 1
            let end = min(bytes.count, offset + size)
            reader.append(bytes[offset..<end])
            offset = end
            do {
                while let event = try reader.next() { events.append(event) }
            } catch {
                return (events, error)
            }
        }
        return (events, nil)
    }

    /// A random valid stream: whole and fragmented messages, pings and pongs between fragments.
    static func randomStream(seed: UInt64) -> (bytes: [UInt8], expected: [WebSocketInbound]) {
        var random = SplitMix64(seed: seed)
        var bytes: [UInt8] = []
        var expected: [WebSocketInbound] = []
        let texts = ["", "a", "héllo", "κόσμε", "𝄞 clef", String(repeating: "x", count: 300), String(repeating: "é", count: 40_000)]
        for _ in 0..<12 {
            let isText = random.next() % 2 == 0
            let payload: [UInt8] = isText ? Array(texts[Int(random.next() % UInt64(texts.count))].utf8)
                : (0..<Int(random.next() % 70_000)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let pieces = Int(random.next() % 4) + 1
            var cuts = (0..<(pieces - 1)).map { _ in Int(random.next() % UInt64(payload.count + 1)) }.sorted()
            cuts.insert(0, at: 0)
            cuts.append(payload.count)
            for piece in 0..<pieces {
                let opcode: UInt8 = piece == 0 ? (isText ? 1 : 2) : 0
                bytes += serverFrame(opcode, Array(payload[cuts[piece]..<cuts[piece + 1]]), fin: piece == pieces - 1)
                if piece == pieces - 1 { expected.append(.message(isText: isText, bytes: payload)) }
                if random.next() % 3 == 0 {
                    let ping = Array("p\(random.next() % 1000)".utf8)
                    bytes += serverFrame(9, ping)
                    expected.append(.ping(ping))
                }
            }
        }
        bytes += serverFrame(8, [0x03, 0xE8] + Array("bye".utf8))
        expected.append(.close(code: 1000, reason: "bye"))
        return (bytes, expected)
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func randomStreamsSurviveRandomSplits(seed: Int) {
        let (bytes, expected) = Self.randomStream(seed: UInt64(seed))
        var random = SplitMix64(seed: UInt64(seed) &* 977)
        for chunks in [[bytes.count], [1], [2, 3, 5, 7], [997], (0..<16).map { _ in Int(random.next() % 20_000) + 1 }] {
            let (events, failure) = Self.events(bytes, chunks: chunks)
            #expect(failure == nil, "chunks \(chunks.prefix(4)): \(String(describing: failure))")
            #expect(events.count == expected.count, "chunks \(chunks.prefix(4))")
            let mismatch = Array(zip(events, expected)).firstIndex { $0.0 != $0.1 }
            #expect(mismatch == nil, "chunks \(chunks.prefix(4)): first difference at event \(mismatch ?? -1)")
        }
    }

    @Test func everyTwoWaySplitOfAFragmentedExchange() {
        let bytes = Self.serverFrame(1, Array("κό".utf8), fin: false) + Self.serverFrame(9, [1, 2]) + Self.serverFrame(0, Array("σμε".utf8))
            + Self.serverFrame(2, [UInt8](repeating: 7, count: 200)) + Self.serverFrame(8, [0x03, 0xF3])
        let expected: [WebSocketInbound] = [
            .ping([1, 2]), .message(isText: true, bytes: Array("κόσμε".utf8)),
            .message(isText: false, bytes: [UInt8](repeating: 7, count: 200)), .close(code: 1011, reason: ""),
        ]
        for split in 0...bytes.count {
            var reader = WebSocketReader(maxMessageSize: 1024)
            var events: [WebSocketInbound] = []
            for part in [bytes[..<split], bytes[split...]] {
                reader.append(part)
                while let event = try? reader.next() { events.append(event) }
            }
            #expect(events == expected, "split at \(split)")
        }
    }

    @Test(arguments: [
        ("RSV1", serverFrame(1, Array("x".utf8), rsv: 4), UInt16(1002)),
        ("RSV2 on ping", serverFrame(9, [], rsv: 2), 1002),
        ("opcode 3", serverFrame(3, []), 1002),
        ("opcode 11", serverFrame(11, []), 1002),
        ("masked", [0x81, 0x81, 1, 2, 3, 4, 0x61], 1002),
        ("ping 126 bytes", serverFrame(9, [UInt8](repeating: 0, count: 126)), 1002),
        ("fragmented ping", serverFrame(9, [1], fin: false), 1002),
        ("continuation first", serverFrame(0, [1]), 1002),
        ("text inside fragments", serverFrame(1, [0x61], fin: false) + serverFrame(1, [0x62]), 1002),
        ("64-bit length MSB", [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 5], 1002),
        ("too big header", [0x82, 0x7F, 0, 0, 0, 0, 0, 0x10, 0, 0], 1009),
        ("2^62 header", [0x82, 0x7F, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2], 1009),
        ("too big fragments", serverFrame(2, [UInt8](repeating: 0, count: 800), fin: false) + serverFrame(0, [UInt8](repeating: 0, count: 800)), 1009),
        ("invalid UTF-8", serverFrame(1, [0xED, 0xA0, 0x80]), 1007),
        ("invalid UTF-8 in a middle fragment", serverFrame(1, [0x61], fin: false) + serverFrame(0, [0xF4, 0x90], fin: false), 1007),
        ("truncated code point at the end", serverFrame(1, [0xE2, 0x82]), 1007),
        ("close with 1 byte", serverFrame(8, [3]), 1002),
        ("close 1005", serverFrame(8, [0x03, 0xED]), 1002),
        ("close 1015", serverFrame(8, [0x03, 0xF7]), 1002),
        ("close 2999", serverFrame(8, [0x0B, 0xB7]), 1002),
        ("close reason invalid", serverFrame(8, [0x03, 0xE8, 0xFF]), 1007),
    ] as [(String, [UInt8], UInt16)])
    func violationsFailWithTheRightCode(name: String, bytes: [UInt8], code: UInt16) {
        for chunks in [[bytes.count], [1]] {
            let (_, failure) = Self.events(bytes, chunks: chunks, maxMessageSize: 1024)
            #expect(failure?.code == code, "\(name), chunks \(chunks)")
        }
    }

    @Test func validCloseCodesAreAccepted() {
        for code: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999] {
            let (events, failure) = Self.events(Self.serverFrame(8, [UInt8(code >> 8), UInt8(code & 0xFF)]), chunks: [100])
            #expect(failure == nil && events == [.close(code: code, reason: "")], "\(code)")
        }
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000] {
            #expect(!WebSocketCloseCode.isValidOnWire(code), "\(code)")
        }
    }

    @Test func clientFramesAreMaskedAndRoundTrip() {
        var random = SystemRandomNumberGenerator()
        for length in [0, 1, 125, 126, 127, 65535, 65536, 70_000] {
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            let key: UInt32 = random.next()
            var out: [UInt8] = []
            WebSocketFrameEncoder.encode(opcode: .binary, payload: payload, maskKey: key, into: &out)
            #expect(out[0] == 0x82)
            #expect(out[1] & 0x80 != 0, "mask bit")
            let headerLength = length < 126 ? 2 : (length <= 0xFFFF ? 4 : 10)
            #expect(Int(out[1] & 0x7F) == (length < 126 ? length : (length <= 0xFFFF ? 126 : 127)))
            let mask = Array(out[headerLength..<(headerLength + 4)])
            let body = out[(headerLength + 4)...].enumerated().map { $0.element ^ mask[$0.offset & 3] }
            #expect(body == payload, "length \(length)")
        }
        let reason = String(repeating: "é", count: 100)  // 200 bytes: must be cut to ≤ 123 on a code point boundary
        let close = WebSocketFrameEncoder.closePayload(code: 1000, reason: reason)
        #expect(close.count <= 125 && UTF8Validator.isValid(close[2...]))
    }
}

