import RedistModel

/// 360Giving Data Standard CSV, found by its column titles (`Identifier`,
/// `Amount Awarded`, `Recipient Org:Identifier`, …); extra columns are
/// ignored.
///
/// As `grants-in` (a funder's file) only grants whose recipient is the
/// organisation are kept, compared as IATI ids are (`IATIReader.normalisedId`:
/// case and punctuation aside) with the organisation's id or the
/// `organisation_ref` option's ids, which such a source needs; the rest are
/// counted as skipped. A blank recipient is never the organisation, and a
/// funder's file without `Recipient Org:Identifier` cannot say which grants
/// are the organisation's, so it is refused whole. As `grants-out` (the
/// organisation's own register) every grant is kept, with the extra columns
/// `Fund` and `Payment Date` where present; the organisation is the funder of
/// its own register, so `Funding Org:*` columns are optional there.
///
/// The standard requires `Recipient Org:Identifier`, but many published files
/// (early conversions such as Arts Council of Wales' or Sport England's) name
/// recipients only: such a register is read with a warning, its grants
/// carrying the recipient's name and an empty identifier.
public struct ThreeSixtyGivingReader: SourceReader {
    public static let format = "360giving"
    public static let roles: [SourceRole] = [.grantsIn, .grantsOut]

    /// A header row with the standard's `Identifier`, `Amount Awarded` and `Recipient Org:Identifier`.
    public static func claims(_ head: FileHead) -> Bool {
        head.csvRows.first.map { Set($0.map { HeaderIndex.fold($0) }) }.map {
            $0.contains("identifier") && $0.contains("amount awarded")
                && ($0.contains("recipient org:identifier") || $0.contains("recipient org:name"))
        } ?? false
    }
    public static let columnKeys: [String] = []
    public static let optionKeys = ["encoding", "date_format", "round_amounts", "organisation_ref"]

    let configuration: ReaderConfiguration
    let encoding: TextEncoding
    let dateFormats: [DateFormat]
    /// The day-and-month order the formats do not read, whose dates make a file's dates untrustworthy.
    let contradicting: DateFormat?
    let rounding: Bool
    /// The organisation's ids, normalised as IATI ids are.
    let organisationIds: Set<String>

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        encoding = try configuration.encoding()
        rounding = try configuration.rounding()
        let preferred = try configuration.dateFormat(default: .iso)
        // Day-first slashed dates are read too, unless the file is said to be month-first.
        let fallback: [DateFormat] = preferred == .monthDayYear ? [.iso] : [.iso, .dayMonthYear]
        dateFormats = [preferred] + fallback.filter { $0 != preferred }
        contradicting = dateFormats.contains(.monthDayYear) ? .dayMonthYear : .monthDayYear
        organisationIds = try configuration.organisationIds(format: "360Giving", finding: "the grants whose recipient is the organisation")
    }

    static let required = [
        (key: "id", title: "Identifier"), (key: "awarded", title: "Amount Awarded"), (key: "date", title: "Award Date"),
    ]
    static let optional = [
        ("funder", "Funding Org:Identifier"), ("recipient", "Recipient Org:Identifier"), ("title", "Title"), ("description", "Description"), ("currency", "Currency"), ("disbursed", "Amount Disbursed"),
        ("recipientName", "Recipient Org:Name"), ("funderName", "Funding Org:Name"), ("programme", "Grant Programme:Title"),
        ("location", "Beneficiary Location:Name"), ("fund", "Fund"), ("paymentDate", "Payment Date"),
        ("plannedStart", "Planned Dates:Start Date"), ("plannedEnd", "Planned Dates:End Date"),
        ("duration", "Planned Dates:Duration (months)"),
    ]

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let scanner = CSVScanner(encoding: encoding)
        var cols: [String: Int]? = nil
        var width = 0, titled = 0
        var failure: FileFailure? = nil
        var seen: Set<String> = []
        var rounded = 0
        let grantsIn = configuration.role == .grantsIn
        let organisation = configuration.organisationId
        try scanCSV(scanner, path: path, displayPath: displayPath) { record in
            guard let c = cols else {
                let header = HeaderIndex(record)
                do {
                    var wanted = Self.required
                    // A funder's file must say whose grants they are, and to whom each went.
                    if grantsIn {
                        wanted += [(key: "funder", title: "Funding Org:Identifier"), (key: "recipient", title: "Recipient Org:Identifier")]
                    }
                    var found = try header.require(wanted, location: record.rowLocation(displayPath))
                    for (key, title) in Self.optional where found[key] == nil { if let i = header.index(of: title) { found[key] = i } }
                    if found["recipient"] == nil {
                        sink.report(Diagnostic(.warning, record.rowLocation(displayPath), check: .missingColumn,
                                               "the header has no column \"Recipient Org:Identifier\": grants are read with the recipient's name only (expected the identifier the 360Giving standard requires)"))
                    }
                    cols = found
                    width = record.count
                    titled = record.titledCount
                } catch let f as FileFailure {
                    failure = f
                    return false
                }
                return true
            }
            if record.allBlank { return true }
            if let problem = record.shapeProblem(displayPath, width: width, titled: titled) {
                try problem.reject(into: sink)
                return true
            }
            let identifier = record.string(c["id"]!)
            guard !identifier.isEmpty else {
                sink.reject(record.location(displayPath, c["id"]!), check: .rejectGrant,
                            "the grant has no Identifier (expected a 360Giving identifier such as 360G-ABC-0001)")
                return true
            }
            var currency = configuration.currency
            if let ci = c["currency"], !record.isBlank(ci) {
                guard let cur = Currency(code: record.string(ci)) else {
                    sink.reject(record.location(displayPath, ci), check: .rejectCurrency,
                                "\"\(record.string(ci))\" is not a currency (expected an ISO 4217 code such as GBP)")
                    return true
                }
                currency = cur
            }
            let parser = AmountParser(currency: currency, rounding: rounding)
            let awarded: Int64
            var disbursed: Int64? = nil
            do throws(FieldProblem) {
                awarded = try record.amount(c["awarded"], parser, file: displayPath, what: "Amount Awarded", required: true,
                                            currency: currency, rounded: &rounded)!
                disbursed = try record.amount(c["disbursed"], parser, file: displayPath, what: "Amount Disbursed", required: false,
                                              currency: currency, rounded: &rounded)
            } catch {
                try error.reject(into: sink)
                return true
            }
            let money = Money(minorUnits: awarded, currency: currency)
            let awardDate: Day
            var paymentDate: Day? = nil
            do throws(FieldProblem) {
                awardDate = try date(record, c["date"]!, displayPath)
                if let pi = c["paymentDate"], !record.isBlank(pi) { paymentDate = try date(record, pi, displayPath) }
            } catch {
                try error.reject(into: sink, amount: money)
                return true
            }
            // The planned dates only describe the grant: a cell that is not a date is a warning, and the grant is kept.
            var planned: [String: Day] = [:]
            for key in ["plannedStart", "plannedEnd"] {
                guard let i = c[key], !record.isBlank(i) else { continue }
                do throws(FieldProblem) { planned[key] = try date(record, i, displayPath) } catch {
                    sink.report(Diagnostic(.warning, error.location, check: .plannedDate,
                                           "\(error.message); the grant is read without it"))
                }
            }
            var duration: Int? = nil
            if let i = c["duration"], !record.isBlank(i) {
                var text = Substring(record.string(i))
                while text.first?.isWhitespace == true { text.removeFirst() }
                while text.last?.isWhitespace == true { text.removeLast() }
                if let n = Int(text), n >= 0 { duration = n } else {
                    sink.report(Diagnostic(.warning, record.location(displayPath, i), check: .plannedDate,
                                           "\"\(text)\" is not a number of months (expected a whole number such as 12); the grant is read without it"))
                }
            }
            let recipient = record.optionalString(c["recipient"])
            if grantsIn && !organisationIds.contains(IATIReader.normalisedId(recipient)) {
                sink.skip(record.rowLocation(displayPath), check: .skipOtherRecipient,
                          "grant \(identifier) is to \(recipient.isEmpty ? "an unnamed recipient" : recipient), not to \(organisation)", amount: money)
                return true
            }
            if !seen.insert(identifier).inserted {
                sink.report(Diagnostic(.warning, record.location(displayPath, c["id"]!), check: .duplicateIdentifier,
                                       "Identifier \(identifier) appears more than once in this file; each row is kept"))
            }
            // The organisation is the funder of its own register when the register does not say.
            var funder = record.optionalString(c["funder"])
            if funder.isEmpty && !grantsIn { funder = organisation }
            let grant = GrantRecord(
                identifier: identifier, title: record.optionalString(c["title"]), description: record.optionalString(c["description"]),
                amountAwarded: money, amountDisbursed: disbursed.map { Money(minorUnits: $0, currency: currency) },
                awardDate: awardDate, paymentDate: paymentDate, recipientId: recipient,
                recipientName: record.optionalString(c["recipientName"]), funderId: funder,
                funderName: record.optionalString(c["funderName"]), programme: record.optionalString(c["programme"]),
                fund: record.optionalString(c["fund"]), beneficiaryLocation: record.optionalString(c["location"]),
                plannedStart: planned["plannedStart"], plannedEnd: planned["plannedEnd"], durationMonths: duration,
                location: record.rowLocation(displayPath))
            sink.load(.grant(grant), amount: awarded)
            return true
        }
        if let failure { throw failure }
        if cols == nil { throw FileFailure(SourceLocation(file: displayPath, line: 1), "the file is empty (expected a 360Giving header row)") }
        sink.noteRounded(rounded, digits: configuration.currency.minorDigits, file: displayPath)
    }

    /// A date in the first of the formats that reads it; one that only the
    /// other day-and-month order reads condemns the file (see `CSVRecord.date`).
    private func date(_ record: borrowing CSVRecord, _ index: Int, _ file: String) throws(FieldProblem) -> Day {
        let text = Substring(record.string(index))
        for format in dateFormats { if let d = format.parse(text) { return d } }
        if let other = contradicting, other.parse(text) != nil {
            throw CSVRecord.dateOrderProblem(String(text), said: "this source reads dates as \(dateFormats.map(\.rawValue).joined(separator: " or "))",
                                             other: other, at: record.location(file, index))
        }
        throw FieldProblem(location: record.location(file, index), check: .rejectDate,
                           message: "\"\(text)\" is not a date (expected yyyy-mm-dd or \(dateFormats.contains(.monthDayYear) ? "mm/dd/yyyy" : "dd/mm/yyyy"))")
    }
}
