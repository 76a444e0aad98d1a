// `tether patch DOCUMENT PATCH`: applies an RFC 6902 patch to a document and prints the result.
//
// Exit codes: 0 patched document on stdout (compact JSON + newline); 1 the patch is not a valid
// RFC 6902 patch or cannot be applied to this document (one-line reason on stderr, nothing on
// stdout); 2 usage error, unreadable file, or malformed JSON (with the parse error's line/column).
import Foundation
import Tether

let patchCommand = Command(
    name: "patch",
    synopsis: "patch DOCUMENT PATCH   apply an RFC 6902 patch; print the result",
    run: { arguments in PatchCommand.run(arguments) }
)

enum PatchCommand {
    static let usage = "usage: tether patch DOCUMENT PATCH   (each a file path, or '-' for standard input; only one may be '-')"

    /// A failure that ends the command: its exit status and the one-line message for stderr.
    struct Exit: Error {
        var status: Int32
        var message: String
    }

    static func run(_ arguments: [String]) -> Int32 {
        do {
            try execute(arguments)
            return 0
        } catch let exit as Exit {
            FileHandle.standardError.write(Data((exit.message + "\n").utf8))
            return exit.status
        } catch {
            FileHandle.standardError.write(Data("tether patch: \(error)\n".utf8))
            return 2
        }
    }

    static func execute(_ arguments: [String]) throws {
        guard arguments.count == 2 else { throw Exit(status: 2, message: usage) }
        guard !(arguments[0] == "-" && arguments[1] == "-") else {
            throw Exit(status: 2, message: "tether patch: only one of DOCUMENT and PATCH may be '-'\n" + usage)
        }
        var document = try parse(arguments[0], role: "document")
        let patchJSON = try parse(arguments[1], role: "patch")
        do throws(JSONPatchError) {
            try JSONPatch(patchJSON).apply(to: &document)
        } catch {
            throw Exit(status: 1, message: "tether patch: \(error)")
        }
        var output = document.serializedBytes()
        output.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(Data(output))
    }

    /// Reads and parses one input; every failure here is an exit-2 input error.
    static func parse(_ path: String, role: String) throws -> JSON {
        let data: Data
        let name = path == "-" ? "standard input" : "'\(path)'"
        do {
            if path == "-" {
                data = try FileHandle.standardInput.readToEnd() ?? Data()
            } else {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        } catch {
            throw Exit(status: 2, message: "tether patch: cannot read \(role) \(name): \(error.localizedDescription)")
        }
        do throws(JSONParseError) {
            return try JSON(parsing: [UInt8](data))
        } catch {
            throw Exit(status: 2, message: "tether patch: malformed JSON in \(role) \(name): \(error)")
        }
    }
}
