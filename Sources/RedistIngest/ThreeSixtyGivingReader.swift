import RedistModel

/// 360Giving Data Standard CSV, found by its column titles (`Identifier`,
/// `Amount Awarded`, `Recipient Org:Identifier`, …); extra columns are
/// ignored.
///
/// As `grants-in` (a funder's file) only grants whose recipient is the
/// organisation are kept; the rest are counted as skipped. As `grants-out`
/// (the organisation's own register) every grant is kept, with the extra
/// columns `Fund` and `Payment Date` where present.
///
/// The standard requires `Recipient Org:Identifier`, but many published files
/// (early conversions such as Arts Council of Wales' or Sport England's) name
/// recipients only: such a file is read with a warning, its grants carrying
/// the recipient's name and an empty identifier.
public struct ThreeSixtyGivingReader: SourceReader {
    public static let format = "360giving"
    public static let roles: [SourceRole] = [.grantsIn, .grantsOut]
    public static let columnKeys: [String] = []
    public static let optionKeys = ["encoding", "date_format"]

    let configuration: ReaderConfiguration
    let encoding: TextEncoding
    let dateFormats: [DateFormat]

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        encoding = try configuration.encoding()
        let preferred = try configuration.dateFormat(default: .iso)
        dateFormats = [preferred] + [.iso, .dayMonthYear].filter { $0 != preferred }
    }

    static let required = [
        (key: "id", title: "Identifier"), (key: "awarded", title: "Amount Awarded"), (key: "date", title: "Award Date"),
        (key: "funder", title: "Funding Org:Identifier"),
    ]
    static let optional = [
        ("recipient", "Recipient Org:Identifier"), ("title", "Title"), ("description", "Description"), ("currency", "Currency"), ("disbursed", "Amount Disbursed"),
        ("recipientName", "Recipient Org:Name"), ("funderName", "Funding Org:Name"), ("programme", "Grant Programme:Title"),
        ("location", "Beneficiary Location:Name"), ("fund", "Fund"), ("paymentDate", "Payment Date"),
    ]

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let scanner = CSVScanner(encoding: encoding)
        var cols: [String: Int]? = nil
        var failure: FileFailure? = nil
        var seen: Set<String> = []
        let organisation = configuration.organisationId
        try scanCSV(scanner, path: path, displayPath: displayPath) { record in
            guard let c = cols else {
                let header = HeaderIndex(record)
                do {
                    var found = try header.require(Self.required, location: record.rowLocation(displayPath))
                    for (key, title) in Self.optional { if let i = header.index(of: title) { found[key] = i } }
                    if found["recipient"] == nil {
                        sink.report(Diagnostic(.warning, record.rowLocation(displayPath), check: "missing-column",
                                               "the header has no column \"Recipient Org:Identifier\": grants are read with the recipient's name only (expected the identifier the 360Giving standard requires)"))
                    }
                    cols = found
                } catch let f as FileFailure {
                    failure = f
                    return false
                }
                return true
            }
            if record.allBlank { return true }
            let identifier = record.string(c["id"]!)
            guard !identifier.isEmpty else {
                sink.reject(record.location(displayPath, c["id"]!), check: "reject.grant",
                            "the grant has no Identifier (expected a 360Giving identifier such as 360G-ABC-0001)")
                return true
            }
            var currency = configuration.currency
            if let ci = c["currency"], !record.isBlank(ci) {
                guard let cur = Currency(code: record.string(ci)) else {
                    sink.reject(record.location(displayPath, ci), check: "reject.currency",
                                "\"\(record.string(ci))\" is not a currency (expected an ISO 4217 code such as GBP)")
                    return true
                }
                currency = cur
            }
            let parser = AmountParser(digits: currency.minorDigits)
            let awarded: Int64
            var disbursed: Int64? = nil
            do throws(FieldProblem) {
                awarded = try record.amount(c["awarded"], parser, file: displayPath, what: "Amount Awarded", required: true)!
                disbursed = try record.amount(c["disbursed"], parser, file: displayPath, what: "Amount Disbursed", required: false)
            } catch {
                sink.reject(error.location, check: error.check, error.message)
                return true
            }
            let money = Money(minorUnits: awarded, currency: currency)
            guard let awardDate = date(record, c["date"]!) else {
                let text = record.string(c["date"]!)
                sink.reject(record.location(displayPath, c["date"]!), check: "reject.date",
                            "\"\(text)\" is not a date (expected yyyy-mm-dd or dd/mm/yyyy)", amount: money)
                return true
            }
            var paymentDate: Day? = nil
            if let pi = c["paymentDate"], !record.isBlank(pi) {
                guard let d = date(record, pi) else {
                    sink.reject(record.location(displayPath, pi), check: "reject.date",
                                "\"\(record.string(pi))\" is not a date (expected yyyy-mm-dd or dd/mm/yyyy)", amount: money)
                    return true
                }
                paymentDate = d
            }
            let recipient = record.optionalString(c["recipient"])
            if configuration.role == .grantsIn && recipient != organisation {
                sink.skip(record.rowLocation(displayPath), check: "skip.other-recipient",
                          "grant \(identifier) is to \(recipient.isEmpty ? "an unnamed recipient" : recipient), not to \(organisation)", amount: money)
                return true
            }
            if !seen.insert(identifier).inserted {
                sink.report(Diagnostic(.warning, record.location(displayPath, c["id"]!), check: "duplicate-identifier",
                                       "Identifier \(identifier) appears more than once in this file; each row is kept"))
            }
            let grant = GrantRecord(
                identifier: identifier, title: record.optionalString(c["title"]), description: record.optionalString(c["description"]),
                amountAwarded: money, amountDisbursed: disbursed.map { Money(minorUnits: $0, currency: currency) },
                awardDate: awardDate, paymentDate: paymentDate, recipientId: recipient,
                recipientName: record.optionalString(c["recipientName"]), funderId: record.string(c["funder"]!),
                funderName: record.optionalString(c["funderName"]), programme: record.optionalString(c["programme"]),
                fund: record.optionalString(c["fund"]), beneficiaryLocation: record.optionalString(c["location"]),
                location: record.rowLocation(displayPath))
            sink.load(.grant(grant), amount: awarded)
            return true
        }
        if let failure { throw failure }
        if cols == nil { throw FileFailure(SourceLocation(file: displayPath, line: 1), "the file is empty (expected a 360Giving header row)") }
    }

    private func date(_ record: borrowing CSVRecord, _ index: Int) -> Day? {
        let text = Substring(record.string(index))
        for format in dateFormats { if let d = format.parse(text) { return d } }
        return nil
    }
}
