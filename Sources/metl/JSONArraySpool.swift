import Foundation

/// A JSON array printed only once it is complete: its elements go to an unlinked temporary file as
/// they come (a million-row import's documents are not held in memory), and `print()` copies them to
/// standard output, so a command that fails midway never prints half an array.
final class JSONArraySpool {
    private let file: FileHandle
    private var count = 0
    private let encoder = Output.jsonEncoder()

    init() throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/metl-json-XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
        unlink(template)
        file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    func append(_ elements: [some Encodable]) throws {
        var data = Data()
        for element in elements {
            data.append(contentsOf: (count == 0 ? "[\n" : ",\n").utf8)
            data.append(try encoder.encode(element))
            count += 1
        }
        try file.write(contentsOf: data)
    }

    /// Writes the array to standard output.
    func print() throws {
        try file.seek(toOffset: 0)
        while let piece = try file.read(upToCount: 1 << 20), !piece.isEmpty { FileHandle.standardOutput.write(piece) }
        FileHandle.standardOutput.write(Data((count == 0 ? "[]\n" : "\n]\n").utf8))
    }
}
