import Foundation
import Payments

/// One JSON object of the configuration file, read key by key with its path, so every problem is
/// reported as `FILE: KEY.PATH: reason`, all of them at once, and a key nothing reads (a typo) is
/// one of them.
final class ConfigurationTable {
    /// Problems found anywhere in the file, shared by every table of it.
    final class Problems {
        var messages: [String] = []
    }

    /// A JSON value as the file spells it: a boolean is never a number, nor a number a boolean.
    indirect enum Value: Decodable {
        case bool(Bool), integer(Int64), number(Double), string(String), list([Value]), object([String: Value]), null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
            else if let whole = try? container.decode(Int64.self) { self = .integer(whole) }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else if let text = try? container.decode(String.self) { self = .string(text) }
            else if let items = try? container.decode([Value].self) { self = .list(items) }
            else { self = .object(try container.decode([String: Value].self)) }
        }
    }

    let path: String
    private let values: [String: Value]
    private var read: Set<String> = []
    let problems: Problems
    /// The top-level table's: SHA-256 of the bytes read, the configuration a job's audit entry names.
    private(set) var fileSHA256: String?

    init(path: String, values: [String: Value], problems: Problems) {
        self.path = path
        self.values = values
        self.problems = problems
    }

    /// The file's top-level object.
    static func load(file: String) throws(ConfigurationError) -> ConfigurationTable {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ConfigurationError(.unreadableFile, "cannot read config file \(file)", isUsage: true)
        }
        // A key written twice would leave one of its values silently unread; a syntax error is told by
        // its line and column.
        if let problem = JSONSyntax.firstProblem(in: [UInt8](data)) {
            throw ConfigurationError(.invalidValue, "\(file): \(problem)")
        }
        guard let value = try? JSONDecoder().decode(Value.self, from: data), case .object(let values) = value else {
            throw ConfigurationError(.invalidValue, "\(file): not a JSON object")
        }
        let root = ConfigurationTable(path: "", values: values, problems: Problems())
        root.fileSHA256 = SHA256Digest.hex([UInt8](data))
        return root
    }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func fail(_ name: String, _ reason: String) { problems.messages.append("\(key(name)): \(reason)") }

    private func raw(_ name: String) -> Value? {
        read.insert(name)
        guard let value = values[name] else { return nil }
        if case .null = value { return nil }
        return value
    }

    func string(_ name: String) -> String? {
        guard let value = raw(name) else { return nil }
        guard case .string(let text) = value else { fail(name, "must be a string"); return nil }
        return text
    }

    func integer(_ name: String) -> Int64? {
        guard let value = raw(name) else { return nil }
        guard case .integer(let whole) = value else { fail(name, "must be a whole number"); return nil }
        return whole
    }

    func bool(_ name: String) -> Bool? {
        guard let value = raw(name) else { return nil }
        guard case .bool(let flag) = value else { fail(name, "must be true or false"); return nil }
        return flag
    }

    func strings(_ name: String) -> [String]? {
        guard let value = raw(name) else { return nil }
        guard case .list(let items) = value else { fail(name, "must be a list of strings"); return nil }
        var texts: [String] = []
        for item in items {
            guard case .string(let text) = item else { fail(name, "must be a list of strings"); return nil }
            texts.append(text)
        }
        return texts
    }

    func table(_ name: String) -> ConfigurationTable? {
        guard let value = raw(name) else { return nil }
        guard case .object(let object) = value else { fail(name, "must be an object"); return nil }
        return ConfigurationTable(path: key(name), values: object, problems: problems)
    }

    /// Each member of an object of objects, in name order.
    func tables(_ name: String) -> [(name: String, table: ConfigurationTable)] {
        guard let parent = table(name) else { return [] }
        return parent.values.keys.sorted().compactMap { member in parent.table(member).map { (member, $0) } }
    }

    func list(_ name: String) -> [ConfigurationTable] {
        guard let value = raw(name) else { return [] }
        guard case .list(let items) = value else { fail(name, "must be a list"); return [] }
        return items.enumerated().compactMap { index, item in
            guard case .object(let object) = item else { fail("\(name)[\(index)]", "must be an object"); return nil }
            return ConfigurationTable(path: key("\(name)[\(index)]"), values: object, problems: problems)
        }
    }

    /// Reports every key no one read: misspelt or unknown.
    func finish() {
        for name in values.keys.sorted() where !read.contains(name) { fail(name, "unknown key") }
    }

    /// Throws every problem of the file at once.
    func check(file: String) throws(ConfigurationError) {
        guard !problems.messages.isEmpty else { return }
        throw ConfigurationError(.invalidValue, problems.messages.map { "\(file): \($0)" })
    }
}
