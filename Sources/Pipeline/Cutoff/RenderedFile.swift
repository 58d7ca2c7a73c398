import Foundation
import NACHA
import Payments

/// One rendered, validated file: its record, its exact bytes and each payment's place in it.
public struct RenderedFile: Sendable {
    public var file: OutboundFile
    public var bytes: [UInt8]
    public var bindings: [FileBinding]

    public init(file: OutboundFile, bytes: [UInt8], bindings: [FileBinding]) {
        self.file = file
        self.bytes = bytes
        self.bindings = bindings
    }
}
