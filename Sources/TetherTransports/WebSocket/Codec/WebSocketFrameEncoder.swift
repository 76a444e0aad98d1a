/// Writes frames in wire form. Clients mask every frame with a fresh key (RFC 6455 §5.3), so the
/// encoder masks while copying: one pass over the payload, no intermediate buffer.
enum WebSocketFrameEncoder {
    /// Appends one frame to `output`. `maskKey` nil writes an unmasked (server-style) frame, for tests.
    static func encode(
        fin: Bool = true,
        opcode: WebSocketOpcode,
        payload: some Collection<UInt8>,
        maskKey: UInt32?,
        into output: inout [UInt8]
    ) {
        let length = payload.count
        output.reserveCapacity(output.count + length + 14)
        output.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        if length < 126 {
            output.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            output.append(maskBit | 126)
            output.append(UInt8(length >> 8))
            output.append(UInt8(length & 0xFF))
        } else {
            output.append(maskBit | 127)
            let wide = UInt64(length)
            for shift in stride(from: 56, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: wide >> UInt64(shift))) }
        }
        guard let maskKey else {
            output.append(contentsOf: payload)
            return
        }
        let k0 = UInt8(maskKey >> 24), k1 = UInt8(maskKey >> 16 & 0xFF), k2 = UInt8(maskKey >> 8 & 0xFF), k3 = UInt8(maskKey & 0xFF)
        output.append(k0)
        output.append(k1)
        output.append(k2)
        output.append(k3)
        let start = output.count
        output.append(contentsOf: payload)
        output.withUnsafeMutableBufferPointer { buffer in
            var index = start
            let end = buffer.count
            while index + 4 <= end {
                buffer[index] ^= k0
                buffer[index + 1] ^= k1
                buffer[index + 2] ^= k2
                buffer[index + 3] ^= k3
                index += 4
            }
            // At most three bytes remain.
            if index < end { buffer[index] ^= k0 }
            if index + 1 < end { buffer[index + 1] ^= k1 }
            if index + 2 < end { buffer[index + 2] ^= k2 }
        }
    }

    /// A close frame's payload: the code in network order and the UTF-8 reason (truncated to fit 125 bytes).
    static func closePayload(code: UInt16?, reason: String) -> [UInt8] {
        guard let code else { return [] }
        var payload: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        var reasonBytes = Array(reason.utf8)
        if reasonBytes.count > 123 {
            reasonBytes = Array(reasonBytes.prefix(123))
            // Never cut a code point in half: drop trailing bytes until the reason is valid UTF-8.
            while !reasonBytes.isEmpty, !UTF8Validator.isValid(reasonBytes) { reasonBytes.removeLast() }
        }
        payload.append(contentsOf: reasonBytes)
        return payload
    }
}
