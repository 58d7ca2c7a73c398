import NACHA

/// Reads an import CSV piece by piece, so a file of any size is checked with one piece of it in
/// memory: the header first, then each row as its bytes arrive, validated and handed back with its
/// line number. A bad row does not stop the reading: every problem in the file is collected (up to
/// `problemLimit` of them, then counted) for one answer at the end, and the caller keeps no row of a
/// file that has any.
public struct CSVImportReader {
    /// Problems listed one by one; past this many, only their count is added.
    public static let problemLimit = 1_000

    let rules: PaymentRules
    let today: ACHDate
    private var tokenizer = CSVTokenizer()
    private var layout: CSVImport.Layout?
    private var columns = 0
    /// Each key's line, to refuse a key repeated anywhere in the file.
    private var keys: [String: Int] = [:]
    private var problems: [PaymentError.FieldError] = []
    private var unlisted = 0
    private var startsFile = true
    private var head: [UInt8] = []
    /// Rows read so far, valid or not.
    public private(set) var rowCount = 0

    public init(rules: PaymentRules, today: ACHDate = .today()) {
        self.rules = rules
        self.today = today
    }

    /// Whether a row so far had a problem (the file will be refused).
    public var hasProblems: Bool { !problems.isEmpty }

    /// The valid rows that `piece` completes; with `final`, the file ends with it. A malformed file or
    /// an invalid header throws at once; a bad row is kept for `check()`.
    public mutating func rows(in piece: some Collection<UInt8>, final: Bool) throws(PaymentError) -> [CSVImport.Row] {
        var piece = Array(piece)
        // Spreadsheet exports start with a byte order mark; it is not part of the first column's name.
        // The file's first three bytes are gathered before they are looked at, however small the pieces.
        if startsFile {
            head += piece
            guard head.count >= 3 || final else { return [] }
            startsFile = false
            piece = head.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(head.dropFirst(3)) : head
            head = []
        }
        let records: [CSVTokenizer.Record]
        do {
            records = try tokenizer.records(in: piece, final: final)
        } catch {
            throw PaymentError(.invalidRequest, "the CSV file is malformed", fieldErrors: [error])
        }
        var rows: [CSVImport.Row] = []
        rows.reserveCapacity(records.count)
        for record in records {
            guard let layout else {
                layout = try header(record.fields)
                continue
            }
            rowCount += 1
            if let row = self.row(record, layout) { rows.append(row) }
        }
        if final && layout == nil {
            throw PaymentError(.invalidRequest, "the CSV file is empty",
                               fieldErrors: [.init(field: "line 1", code: "missing_header", message: "needs a header row")])
        }
        return rows
    }

    /// Throws every problem the rows had, after the last piece.
    public func check() throws(PaymentError) {
        guard !problems.isEmpty else { return }
        let more = unlisted == 0 ? [] : [PaymentError.FieldError(
            field: "file", code: "more_problems", message: "has \(unlisted) more problems past the first \(Self.problemLimit)")]
        throw PaymentError(.invalidRequest, "the CSV file has invalid rows; nothing was imported", fieldErrors: problems + more)
    }

    private mutating func header(_ fields: [String]) throws(PaymentError) -> CSVImport.Layout {
        let names = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var errors: [PaymentError.FieldError] = []
        var positions: [String: Int] = [:]
        for (position, column) in names.enumerated() {
            if let first = positions[column] {
                errors.append(.init(field: "line 1: \(column)", code: "duplicate_column",
                                    message: "is column \(first + 1) and again column \(position + 1)"))
            } else {
                positions[column] = position
            }
            if !CSVImport.requiredColumns.contains(column) && !CSVImport.optionalColumns.contains(column) {
                errors.append(.init(field: "line 1: \(column)", code: "unknown_column", message: "is not a known column"))
            }
        }
        for column in CSVImport.requiredColumns where !names.contains(column) {
            errors.append(.init(field: "line 1: \(column)", code: "missing_column", message: "is a required column"))
        }
        guard errors.isEmpty else { throw PaymentError(.invalidRequest, "the CSV header is invalid", fieldErrors: errors) }
        columns = names.count
        return CSVImport.Layout(positions)
    }

    private mutating func row(_ record: CSVTokenizer.Record, _ layout: CSVImport.Layout) -> CSVImport.Row? {
        let prefix = "line \(record.line)"
        guard record.fields.count == columns else {
            note([.init(field: prefix, code: "column_count", message: "has \(Words.count(record.fields.count, "field")), the header has \(columns)")])
            return nil
        }
        do throws(PaymentError) {
            let key = try IdempotencyKey.validate(record.fields[layout.idempotencyKey])
            if let earlier = keys[key] {
                throw PaymentError(.invalidRequest, "", fieldErrors: [.init(
                    field: "idempotency_key", code: "duplicate", message: "repeats the key of line \(earlier)")])
            }
            keys[key] = record.line
            let request = try layout.request(from: record.fields)
            return CSVImport.Row(line: record.line, idempotencyKey: key, request: try request.validate(rules: rules, today: today))
        } catch {
            note(error.fieldErrors.map { .init(field: "\(prefix): \($0.field)", code: $0.code, message: $0.message) })
            return nil
        }
    }

    private mutating func note(_ found: [PaymentError.FieldError]) {
        let room = max(0, Self.problemLimit - problems.count)
        problems += found.prefix(room)
        unlisted += max(0, found.count - room)
    }
}
