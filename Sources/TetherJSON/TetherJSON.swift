// TetherJSON: the JSON floor every Tether layer stands on.
//
// - Value: ``JSON``, ``JSONNumber``, ``JSONObject``.
// - Parsing / Serialization: strict RFC 8259 on UTF-8 bytes.
// - Pointer / Patch: RFC 6901 and atomic RFC 6902, plus `diff`.
// - Codable: bridges between `JSON` and user types.
