import RedistCore
import RedistModel

/// One line of the data-quality account.
public struct QualityRow: Sendable {
    public var source: String
    public var file: String
    public var location: String
    public var severity: String
    public var check: Check
    public var message: String
    public var amount: String
    /// The message for shared reports (trustees.html): never a raw cell of
    /// the input, which `message` may quote (quality.csv stays with staff).
    /// A cell split by a stray CR can hold a person's name.
    public var shared: String

    public init(source: String, file: String, location: String, severity: String, check: Check, message: String, amount: String,
                shared: String? = nil) {
        self.source = source
        self.file = file
        self.location = location
        self.severity = severity
        self.check = check
        self.message = message
        self.amount = amount
        self.shared = shared ?? message
    }
}

/// `quality.csv`: control totals per source file, every reject and
/// finding, every unclassified movement, and reconciliation differences.
public enum QualityCSV {
    public static let header = ["source", "file", "location", "severity", "check", "message", "amount"]

    public static func rows(_ data: Dataset, period: Period, extra: [QualityRow] = []) -> [QualityRow] {
        var rows: [QualityRow] = []
        let currency = data.pipeline.organisation.currency
        func money(_ v: Int64) -> String { MoneyFormat.decimal(v, digits: currency.minorDigits) }
        for f in data.files {
            if let failure = f.failure {
                rows.append(QualityRow(source: f.source, file: f.path, location: "", severity: "error", check: .file,
                                       message: "the file could not be read: \(failure)", amount: ""))
                continue
            }
            let balanced = f.rowsRead == f.rowsLoaded + f.rowsRejected + f.rowsSkipped
                && f.amountRead == f.amountLoaded + f.amountRejected + f.amountSkipped
            rows.append(QualityRow(
                source: f.source, file: f.path, location: "", severity: balanced ? "note" : "error", check: .controlTotals,
                message: "rows read \(f.rowsRead) = loaded \(f.rowsLoaded) + rejected \(f.rowsRejected) + skipped \(f.rowsSkipped); "
                    + "amounts read \(money(f.amountRead)) = loaded \(money(f.amountLoaded)) + rejected \(money(f.amountRejected)) + skipped \(money(f.amountSkipped)); sha256 \(f.sha256)",
                amount: money(f.amountRead)))
        }
        for (d, f) in data.findings where d.check != .file {
            rows.append(QualityRow(source: f.source, file: f.path, location: d.location.shortDescription, severity: d.severity.rawValue,
                                   check: d.check, message: d.message,
                                   amount: d.amount.map { MoneyFormat.decimal($0.minorUnits, digits: $0.currency.minorDigits) } ?? "",
                                   shared: cellFree(d.check)))
        }
        for s in data.sourcesWithoutFiles {
            rows.append(QualityRow(source: s.name, file: data.pipeline.fileName, location: "line \(s.line)", severity: "warning", check: .sourceNoFile,
                                   message: "source \"\(s.name)\" matched no file with path \"\(s.path)\", so nothing from it is in any figure",
                                   amount: ""))
        }
        if data.duplicatesDropped > 0 {
            rows.append(QualityRow(source: "", file: "", location: "", severity: "note", check: .duplicates,
                                   message: "\(data.duplicatesDropped) rows were the same money seen again in an overlapping export and were counted once",
                                   amount: ""))
        }
        let declared = Set(data.pipeline.funds.map(\.code))
        var undeclared: [String: Int] = [:]
        do {
            for (fund, count) in try data.movementsByFund(in: period) where !fund.isEmpty && !declared.contains(fund) {
                undeclared[fund] = count
            }
            try data.eachUnclassified(in: period) { c in
                let location = c.location, account = c.text(.account), accountName = c.text(.accountName), fund = c.text(.fund)
                rows.append(QualityRow(
                    source: c.text(.source), file: location.file, location: location.shortDescription, severity: "warning", check: .unclassified,
                    message: "no rule matched: account \(account)\(accountName.isEmpty ? "" : " (\(accountName))"), fund \(fund.isEmpty ? "none" : fund), \(c.isOut ? "out" : "in") on \(c.date); add a [[rule]] for it",
                    amount: MoneyFormat.decimal(c.amount, digits: c.minorDigits)))
            }
        } catch {
            data.remember(error)
        }
        for (fund, count) in undeclared.sorted(by: { $0.key < $1.key }) {
            rows.append(QualityRow(source: "", file: data.pipeline.fileName, location: "", severity: "warning", check: .fundUndeclared,
                                   message: "fund \"\(fund)\" is used by \(count) movements in the period but has no [[fund]] table, so its type and funders are unknown",
                                   amount: ""))
        }
        return ordered(rows + extra, currency: currency)
    }

    /// Errors first, then warnings, each as found; then the control totals
    /// of every file; then one row per other kind of note (a skipped row's
    /// kind, most often), with how many there were and their amount, and
    /// where the first one is: the rows a person must act on come first,
    /// and hundreds of skipped balance rows do not bury them.
    static func ordered(_ rows: [QualityRow], currency: Currency) -> [QualityRow] {
        let errors = rows.filter { $0.severity == "error" }, warnings = rows.filter { $0.severity == "warning" }
        let notes = rows.filter { $0.severity != "error" && $0.severity != "warning" }
        let totals = notes.filter { $0.check == .controlTotals }
        var kinds: [Check] = [], byKind: [Check: [QualityRow]] = [:]
        for r in notes where r.check != .controlTotals {
            if byKind[r.check] == nil { kinds.append(r.check) }
            byKind[r.check, default: []].append(r)
        }
        let parser = AmountParser(digits: currency.minorDigits)
        let summaries: [QualityRow] = kinds.map { kind in
            let group = byKind[kind]!
            guard group.count > 1, let first = group.first else { return group[0] }
            var sources: [String] = [], files: [String] = []
            for r in group {
                if !r.source.isEmpty && !sources.contains(r.source) { sources.append(r.source) }
                if !r.file.isEmpty && !files.contains(r.file) { files.append(r.file) }
            }
            let amounts = group.compactMap { $0.amount.isEmpty ? nil : parser.parse($0.amount) }
            let firstAt = first.file.isEmpty ? "" : " (the first: \(first.file)\(first.location.isEmpty ? "" : ", " + first.location))"
            return QualityRow(
                source: sources.joined(separator: "; "), file: files.count <= 1 ? (files.first ?? "") : "\(files.count) files", location: "",
                severity: first.severity, check: kind,
                message: "\(group.count) of this kind\(firstAt): \(first.message)",
                amount: amounts.isEmpty ? "" : MoneyFormat.decimal(amounts.reduce(0, +), digits: currency.minorDigits),
                shared: first.shared)
        }
        return errors + warnings + totals + summaries
    }

    /// One note per funder with no flows in the period, so no pack: named, with the reason.
    public static func fundersWithoutPacks(_ engine: MeasureEngine, period: Period) -> [QualityRow] {
        let packs = Set(engine.fundersWithFlows(period).map(\.id))
        return engine.data.pipeline.funders.filter { !packs.contains($0.id) }.map { f in
            // About the pipeline as a whole, so no file: the same wherever the command is run from.
            QualityRow(source: "", file: "", location: "", severity: "note", check: .evidenceNoPack,
                       message: "funder \(f.name) (\(f.id)) gets no evidence pack for \(period): no money came in from it and none moved in its funds",
                       amount: "")
        }
    }

    /// What a reader's finding is about, in words that quote nothing from
    /// the file: the check says what kind of problem it is, the file and
    /// line where; quality.csv has the full message.
    static func cellFree(_ check: Check) -> String {
        let rejected: [Check: String] = [
            .rejectAmount: "its amount could not be read", .rejectDate: "its date could not be read",
            .rejectCurrency: "its currency is not the one we report in", .rejectAccount: "its account could not be read",
            .rejectFields: "it has a different number of fields from the header", .rejectMember: "a value in it could not be read",
            .rejectGrant: "a value in it could not be read", .rejectIdentifier: "its identifier could not be read",
        ]
        if check.rejectsRow {
            return "A row was rejected: \(rejected[check] ?? "a value in it could not be read") (details in quality.csv)."
        }
        let other: [Check: String] = [
            .bankBalance: "The statement's balances do not add up, or could not be checked",
            .bankEntryDate: "Statement entries have no date of their own",
            .encoding: "The file's text encoding was not given and was worked out from its bytes",
            .missingColumn: "A column the format expects is missing",
            .duplicateIdentifier: "Two grants have the same identifier",
            .plannedDate: "A grant's planned start, end or duration could not be read, so the grant is shown without it",
            .xmlWarning: "The XML reader warned about the file",
        ]
        return "\(other[check] ?? "A check (\(check)) found a problem") (details in quality.csv)."
    }

    public static func render(_ rows: [QualityRow]) -> [UInt8] {
        var csv = CSVWriter(header: header)
        for r in rows { csv.row([r.source, r.file, r.location, r.severity, r.check.rawValue, r.message, r.amount]) }
        return csv.bytes
    }
}
