import Foundation
import Payments

/// One rendered, validated file: its record, its exact bytes and each item's place in it.
public struct RenderedFile<Binding: Sendable>: Sendable {
    public var file: OutboundFile
    public var bytes: [UInt8]
    public var bindings: [Binding]

    public init(file: OutboundFile, bytes: [UInt8], bindings: [Binding]) {
        self.file = file
        self.bytes = bytes
        self.bindings = bindings
    }
}
