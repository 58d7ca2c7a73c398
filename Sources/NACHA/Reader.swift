#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of reading a file: the model (when built) and every diagnostic.
public struct ReadResult: Sendable {
    public var file: ACHFile?
    public var diagnostics: [Diagnostic]
    public var errorCount: Int
    public var warningCount: Int
    public var infoCount: Int
    /// Records read, padding included.
    public var recordCount: Int
    /// The recomputed control values of the records read.
    public var computedTotals: ControlTotals
    public var computedBatchCount: Int
    public var computedBlockCount: Int
    /// The file control record's declared values, when one was read.
    public var declaredBatchCount: Int?
    public var declaredBlockCount: Int?
    public var declaredTotals: ControlTotals?

    public var hasErrors: Bool { errorCount > 0 }
    public var hasWarnings: Bool { warningCount > 0 }
}

/// Reading NACHA files whole or streamed. Both paths run the same parser and the same rules.
public enum Reader {
    /// Reads a whole file held in memory.
    public static func read(_ bytes: some Collection<UInt8>, options: Parser.Options = .init()) -> ReadResult {
        var stream = Stream(options: options)
        let fed: Void? = bytes.withContiguousStorageIfAvailable { stream.feed($0) }
        if fed == nil { Array(bytes).withUnsafeBufferPointer { stream.feed($0) } }
        return stream.finish()
    }

    /// Reads a file from disk in fixed-size chunks, so memory stays flat in the file size when
    /// `buildModel` is off. Throws only for I/O errors; format problems are diagnostics.
    /// `visit` sees each record as it is read, for tools that print records while streaming.
    public static func read(path: String, options: Parser.Options = .init(buildModel: false), chunkSize: Int = 1 << 20,
                            visit: (UnsafeBufferPointer<UInt8>, Int) -> Void = { _, _ in }) throws(IOError) -> ReadResult {
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY)
        guard descriptor >= 0 else { throw IOError(code: .open, path: path, errno: errno) }
        defer { if descriptor != 0 { close(descriptor) } }
        var stream = Stream(options: options)
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, chunkSize) }
            if count < 0 {
                if errno == EINTR { continue }
                throw IOError(code: .read, path: path, errno: errno)
            }
            if count == 0 { break }
            buffer.withUnsafeBufferPointer { stream.feed(UnsafeBufferPointer(rebasing: $0[0..<count]), visit: visit) }
        }
        return stream.finish(visit: visit)
    }

    /// Incremental reading: feed chunks as they arrive, then finish.
    public struct Stream {
        private var splitter = RecordSplitter()
        public private(set) var parser: Parser

        public init(options: Parser.Options = .init()) {
            parser = Parser(options: options)
        }

        public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>) {
            feed(chunk) { _, _ in }
        }

        /// Feeds a chunk and shows each complete record (94 bytes, short lines padded) to `visit`
        /// after the parser has read it, for tools that print records as they stream.
        public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, visit: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
            splitter.feed(chunk) { record, line, repair in
                parser.consume(record, line: line, repair: repair)
                visit(record, line)
            }
        }

        /// The entries closed so far and not yet taken (`Parser.Options.handsOutEntries`).
        public mutating func takeEntries() -> [Entry] { parser.takeEntries() }

        public mutating func finish(visit: (UnsafeBufferPointer<UInt8>, Int) -> Void = { _, _ in }) -> ReadResult {
            splitter.finish { record, line, repair in
                parser.consume(record, line: line, repair: repair)
                visit(record, line)
            }
            parser.finish(lastLine: splitter.recordNumber)
            let declared = parser.declaredFileControl
            return ReadResult(file: parser.options.buildModel ? parser.file : nil, diagnostics: parser.diagnostics,
                              errorCount: parser.errorCount, warningCount: parser.warningCount, infoCount: parser.infoCount,
                              recordCount: splitter.recordNumber, computedTotals: parser.computedTotals,
                              computedBatchCount: parser.batchCount,
                              computedBlockCount: (parser.recordCount + NACHA.blockingFactor - 1) / NACHA.blockingFactor,
                              declaredBatchCount: declared?.batchCount, declaredBlockCount: declared?.blockCount,
                              declaredTotals: declared?.totals)
        }
    }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
    #else
    Darwin.read(descriptor, buffer, count)
    #endif
}

/// A file could not be opened or read.
public struct IOError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case open, read }
    public var code: Code
    public var path: String
    public var errno: Int32

    public var description: String {
        "cannot \(code.rawValue) \(path): \(String(cString: strerror(errno)))"
    }
}
