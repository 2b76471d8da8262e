import Foundation
import RedistIngest
import RedistModel

/// A first pipeline file for a folder of exports, as `redist init DIR` writes
/// it: every file identified by its content (each reader answers "is this
/// mine?" from the file's first kilobytes, `Readers.identify`; a file two
/// readers claim is an error), files of one kind in one folder grouped into
/// one source with a glob, a plain CSV's columns and date format guessed
/// from its header and values, and the funds and accounts the ledgers use
/// listed as stubs to fill in, largest total first.
public struct PipelineDraft {
    /// The pipeline file's text.
    public var toml: String
    /// What was recognised: `path: format (role), source "name"`.
    public var recognised: [String] = []
    /// What was not, and why: `path: reason`.
    public var notRecognised: [String] = []
    /// Files claimed by two formats, or that could not be read.
    public var errors: [String] = []
    /// The latest quarter with movements, for the next command (`2024-Q1`).
    public var suggestedPeriod: String?

    /// One file, identified.
    struct Identified {
        var path: String          // relative to the folder
        var folder: String        // relative folder, "" for the top
        var name: String
        var format: String
        var role: SourceRole
        var columns: [String: String] = [:]
        var options: [String: String] = [:]
        /// Why a source is written commented out (a date order that cannot be told).
        var blocked: String? = nil
        var key: String { "\(folder)|\(format)|\(role.rawValue)|\(columns.sorted { $0.key < $1.key })|\(options.sorted { $0.key < $1.key })|\(blocked ?? "")" }
    }

    struct Group {
        var name: String
        var files: [Identified]
        var pattern: String
        var first: Identified { files[0] }
    }

    public static func make(directory: String) -> PipelineDraft {
        var draft = PipelineDraft(toml: "")
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        var identified: [Identified] = []
        var grants: [(Identified, FileHead)] = []
        for relative in files(under: root) {
            let path = root + "/" + relative
            let head = FileHead(path: path)
            let folder = (relative as NSString).deletingLastPathComponent
            let name = (relative as NSString).lastPathComponent
            let claims = Readers.identify(head)
            if claims.count > 1 {
                draft.errors.append("\(relative): error: claimed by \(claims.count) formats (\(claims.map { $0.format }.joined(separator: ", "))): name one with format = in [[source]]")
                continue
            }
            if let reader = claims.first {
                var file = Identified(path: relative, folder: folder, name: name, format: reader.format, role: role(of: reader))
                if reader.format == "qif" {
                    file.options = qifOptions(path, &file.blocked)
                }
                if reader.format == "360giving" { grants.append((file, head)); continue }
                identified.append(file)
                continue
            }
            switch plainCSV(path, head) {
            case .success(let file):
                var f = file
                f.path = relative; f.folder = folder; f.name = name
                identified.append(f)
            case .failure(let reason):
                draft.notRecognised.append("\(relative): \(reason.message)")
            }
        }
        // 360Giving: the file whose funder appears as a recipient in the others is the organisation's own register.
        let organisationId = ownId(grants.map { $0.1 })
        var funders: [(id: String, name: String)] = []
        for (var file, head) in grants {
            let funding = column(head, "Funding Org:Identifier")
            if let organisationId, !funding.isEmpty, funding.allSatisfy({ $0 == organisationId }) {
                file.role = .grantsOut
            } else {
                file.role = .grantsIn
                let names = column(head, "Funding Org:Name")
                for (i, id) in funding.enumerated() where !id.isEmpty && !funders.contains(where: { $0.id == id }) {
                    funders.append((id, i < names.count ? names[i] : id))
                }
            }
            identified.append(file)
        }
        let groups = group(identified, root: root)
        for g in groups {
            for f in g.files {
                draft.recognised.append("\(f.path): \(f.format) (\(f.role.rawValue)), source \"\(g.name)\"\(f.blocked.map { " — written commented out: \($0)" } ?? "")")
            }
        }
        var ledger = summarise(groups.filter { $0.first.role == .ledger && $0.first.blocked == nil }, root: root, &draft)
        ledger.otherCurrencies = otherCurrencies(groups.filter { $0.first.role != .members && $0.first.blocked == nil },
                                                 reporting: ledger.currency, organisationId: organisationId, root: root)
        draft.toml = write(groups, ledger: ledger, organisationId: organisationId, funders: funders)
        return draft
    }

    // MARK: Identifying

    /// One file's format and, for a plain CSV, its guessed mapping: what
    /// `redist inspect` uses when `--format` is left out.
    public struct Identification {
        public var format: String
        public var role: SourceRole
        public var columns: [String: String]
        public var options: [String: String]
    }

    /// The format of the file at `path`, as `redist init` identifies each file; a
    /// message saying why when no format (or more than one) fits.
    /// With `dateFormatGiven` (the caller names the date format), dates that
    /// could be read either way are no reason to fail.
    public static func identify(path: String, dateFormatGiven: Bool = false) -> Result<Identification, Error> {
        let head = FileHead(path: path)
        let claims = Readers.identify(head)
        if claims.count > 1 {
            return .failure(Reason(message: "the file is claimed by \(claims.count) formats (\(claims.map { $0.format }.joined(separator: ", "))): name one with --format"))
        }
        if let reader = claims.first {
            var blocked: String? = nil
            let options = reader.format == "qif" ? qifOptions(path, &blocked) : [:]
            if let blocked, !dateFormatGiven { return .failure(Reason(message: blocked)) }
            return .success(Identification(format: reader.format, role: role(of: reader), columns: [:], options: options))
        }
        switch plainCSV(path, head) {
        case .success(let f):
            if let blocked = f.blocked, !dateFormatGiven { return .failure(Reason(message: blocked + " (--option date_format=…)")) }
            return .success(Identification(format: f.format, role: f.role, columns: f.columns, options: f.options))
        case .failure(let reason):
            return .failure(reason)
        }
    }

    /// Every regular file under the folder, relative, sorted; hidden files and folders and `pipeline.toml` left out.
    static func files(under root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let next = walker.nextObject() as? String {
            if next.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + next, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if next == "pipeline.toml" { continue }
            out.append(next)
        }
        return out.sorted()
    }

    static func role(of reader: any SourceReader.Type) -> SourceRole {
        switch reader.format {
        case "iati": return .grantsIn
        case "360giving": return .grantsIn
        default: return reader.roles.contains(.bank) && !["xero", "quickbooks", "gnucash"].contains(reader.format) ? .bank : reader.roles[0]
        }
    }

    struct Reason: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// How many rows from the top `init` looks at for a CSV's header row.
    static let titleLinesLooked = 20

    /// A row that could be a header: two fields or more that are not empty.
    static func hasFields(_ row: [String]) -> Bool { row.filter { !$0.isEmpty }.count >= 2 }

    /// A CSV no preset claims: a member register, or a ledger or bank export read through guessed columns.
    static func plainCSV(_ path: String, _ head: FileHead) -> Result<Identified, Reason> {
        if head.bytes.isEmpty { return .failure(Reason(message: "empty")) }
        if head.bytes.prefix(1024).contains(0) { return .failure(Reason(message: "not text (a binary file): no reader knows it")) }
        if let first = head.text.first(where: { !$0.isWhitespace }), first == "{" || first == "[" {
            if head.text.contains("\"grants\"") {
                return .failure(Reason(message: "360Giving data as JSON, which redist does not read: download the same grants as 360Giving CSV (GrantNav and most funders offer it) and put that here instead"))
            }
            return .failure(Reason(message: "a JSON file: no reader knows it"))
        }
        guard let header = head.csvRows.first, head.csvRows.prefix(Self.titleLinesLooked).contains(where: Self.hasFields) else {
            return .failure(Reason(message: "not an export redist knows: no reader claims it and its first line is not a CSV header (\"\(head.firstLine.prefix(40))\")"))
        }
        if header.starts(with: inspectHeader) {
            return .failure(Reason(message: "redist's own output (redist inspect), not an export"))
        }
        if let members = ColumnGuess.memberColumns(header) {
            return .success(Identified(path: "", folder: "", name: "", format: "csv", role: .members, columns: members))
        }
        // The header is the first row a mapping can be guessed from: a bank's
        // export often starts with title lines ("Transactions for account …",
        // "Account Name:", a blank line), which skip_lines then passes over.
        let rows = head.csvRows
        var found: (at: Int, columns: [String: String])? = nil
        for k in 0..<min(rows.count, Self.titleLinesLooked) where Self.hasFields(rows[k]) {
            if let c = ColumnGuess.columns(rows[k], sample: Array(rows.dropFirst(k + 1))) { found = (k, c); break }
        }
        guard let (headerAt, columns) = found else {
            if !Self.hasFields(header) {
                return .failure(Reason(message: "not an export redist knows: no reader claims it, its first line is not a CSV header (\"\(head.firstLine.prefix(40))\") and no header with a date and an amount column follows in its first \(Self.titleLinesLooked) lines"))
            }
            let shown = header.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")
            return .failure(Reason(message: "a CSV, but its header (\(shown)) has no date column or no amount columns (Amount, Paid In and Paid Out, or Debit and Credit) to guess a mapping from: write its [source.columns] by hand"))
        }
        var file = Identified(path: "", folder: "", name: "", format: "csv", role: .ledger, columns: columns)
        if headerAt > 0 { file.options["skip_lines"] = String(headerAt) }
        // A running balance beside the amounts, and no account or fund: a bank statement.
        let folded = Set(rows[headerAt].map { $0.lowercased().filter { !$0.isWhitespace } })
        if columns["account"] == nil && columns["fund"] == nil && (folded.contains("balance") || folded.contains("runningbalance")) { file.role = .bank }
        switch dateFormat(path, column: columns["date"]!, skipLines: headerAt) {
        case .success(let f): file.options["date_format"] = f.rawValue
        case .failure(let reason): file.blocked = reason.message
        }
        return .success(file)
    }

    /// The date format of a column, from all its values (`DateOrder.infer` for numeric dates).
    static func dateFormat(_ path: String, column: String, skipLines: Int = 0) -> Result<DateFormat, Reason> {
        var values: [String] = []
        var index: Int? = nil
        var skipped = 0
        try? CSVScanner().scan(path: path) { record in
            if skipped < skipLines { skipped += 1; return true }
            guard let i = index else {
                index = HeaderIndex(record).index(of: column)
                return index != nil
            }
            if i < record.count, !record.isBlank(i) { values.append(record.string(i)) }
            return values.count < 100_000
        }
        guard !values.isEmpty else { return .failure(Reason(message: "the \(column) column has no dates to tell the date format from")) }
        for f in [DateFormat.iso, .yearMonthDaySlashes, .dayMonthNameYear] where values.allSatisfy({ f.parse(Substring($0)) != nil }) {
            return .success(f)
        }
        switch DateOrder.infer(values) {
        case .order(let f): return .success(f)
        case .ambiguous(let example):
            return .failure(Reason(message: "every date in \(column) could be day first or month first (as \"\(example)\"), so redist does not guess: set date_format to dd/mm/yyyy or mm/dd/yyyy"))
        case .mixed(let d, let m):
            return .failure(Reason(message: "the dates in \(column) are in both orders (\"\(d)\" day first, \"\(m)\" month first)"))
        case .none:
            return .failure(Reason(message: "the values of \(column) are not dates redist reads (as \"\(values[0])\")"))
        }
    }

    /// A QIF file's options: its date order, when its dates show it.
    static func qifOptions(_ path: String, _ blocked: inout String?) -> [String: String] {
        var dates: [String] = []
        if let text = try? String(contentsOfFile: path, encoding: .isoLatin1) {
            for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) where line.hasPrefix("D") {
                dates.append(String(line.dropFirst()))
            }
        }
        switch DateOrder.infer(dates) {
        case .order(let f): return ["date_format": f.rawValue]
        case .none: return [:]
        case .ambiguous(let e): blocked = "every date could be day first or month first (as \"\(e)\"): set date_format"; return [:]
        case .mixed(let d, let m): blocked = "its dates are in both orders (\"\(d)\", \"\(m)\")"; return [:]
        }
    }

    static func column(_ head: FileHead, _ title: String) -> [String] {
        guard let header = head.csvRows.first, let i = HeaderIndex(titles: header).index(of: title) else { return [] }
        return head.csvRows.dropFirst().compactMap { i < $0.count ? $0[i] : nil }
    }

    /// The organisation's id: a funder of one 360Giving file who is a recipient in another.
    static func ownId(_ heads: [FileHead]) -> String? {
        let recipients = heads.map { Set(column($0, "Recipient Org:Identifier")) }
        for (i, h) in heads.enumerated() {
            let funding = Set(column(h, "Funding Org:Identifier"))
            guard funding.count == 1, let id = funding.first, !id.isEmpty else { continue }
            if recipients.enumerated().contains(where: { $0.offset != i && $0.element.contains(id) }) { return id }
        }
        return nil
    }

    // MARK: Grouping

    /// Files of one kind in one folder become one source, with a glob that matches exactly them.
    static func group(_ files: [Identified], root: String) -> [Group] {
        var byKey: [String: [Identified]] = [:]
        var order: [String] = []
        for f in files {
            if byKey[f.key] == nil { order.append(f.key) }
            byKey[f.key, default: []].append(f)
        }
        var groups: [Group] = []
        var names = Set<String>()
        for key in order {
            let members = byKey[key]!.sorted { $0.name < $1.name }
            for (pattern, matched) in patterns(members, root: root) {
                var name = sourceName(matched)
                var n = 2
                while names.contains(name) { name = sourceName(matched) + "-\(n)"; n += 1 }
                names.insert(name)
                groups.append(Group(name: name, files: matched, pattern: pattern))
            }
        }
        return groups
    }

    /// A glob for the files (`cashbook-*.csv`) when one matches exactly them, else one pattern per file.
    static func patterns(_ files: [Identified], root: String) -> [(String, [Identified])] {
        let folder = files[0].folder
        func path(_ p: String) -> String { folder.isEmpty ? p : folder + "/" + p }
        guard files.count > 1 else { return [(path(files[0].name), files)] }
        let names = files.map(\.name)
        var prefix = names.dropFirst().reduce(names[0]) { String($0.commonPrefix(with: $1)) }
        let ext = "." + ((names[0] as NSString).pathExtension)
        let suffix = names.allSatisfy { $0.hasSuffix(ext) } && ext.count > 1 ? ext : ""
        // Up to the first digit, so next year's exports match too.
        let cut = String(prefix.prefix(while: { !$0.isNumber }))
        for candidate in [cut, prefix] where !candidate.isEmpty || suffix.count > 0 {
            let pattern = path(globEscaped(candidate) + "*" + suffix)
            let matched = Set(Glob.expand(pattern, relativeTo: root).map { ($0.absolute as NSString).lastPathComponent })
            if matched == Set(names) { return [(pattern, files)] }
        }
        prefix = ""
        return files.map { (path($0.name), [$0]) }
    }

    static func globEscaped(_ s: String) -> String {
        String(s.flatMap { "*?[]".contains($0) ? ["\\", $0] : [$0] })
    }

    /// A source's name from what its files' names share (`cashbook-2023-Q2.csv`
    /// and `cashbook-2023-Q3.csv` → `cashbook`), else its folder's, else its format.
    static func sourceName(_ files: [Identified]) -> String {
        let stems = files.map { ($0.name as NSString).deletingPathExtension.lowercased() }
        let shared = stems.dropFirst().reduce(stems[0]) { String($0.commonPrefix(with: $1)) }
        func words(_ s: String) -> String {
            let w: [String] = s.split(whereSeparator: { !$0.isLetter }).map(String.init).filter { $0.count > 1 }
            return w.count > 2 ? w[0] + "-" + w[1] : w.joined(separator: "-")
        }
        for candidate in [words(shared), (files[0].folder as NSString).lastPathComponent.lowercased(), files[0].format]
            where !candidate.isEmpty && candidate.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            return candidate
        }
        return files[0].format
    }

    // MARK: What the ledgers hold

    struct Ledger {
        var accounts: [(code: String, name: String, rows: Int, total: Int64, gross: Int64)] = []
        var funds: [String] = []
        var currency: Currency = .gbp
        /// Currencies other than `currency` that amounts in the files are in, each with its earliest day.
        var otherCurrencies: [(currency: Currency, earliest: Day)] = []
    }

    /// The currencies other than the reporting one that the files' amounts
    /// are in (movements, grants, balances), each with the earliest day one
    /// is dated: what the rates table must cover.
    static func otherCurrencies(_ groups: [Group], reporting: Currency, organisationId: String?,
                                root: String) -> [(currency: Currency, earliest: Day)] {
        var earliest: [Currency: Day] = [:]
        func note(_ money: Money, _ day: Day) {
            guard money.currency != reporting else { return }
            if let d = earliest[money.currency], d <= day { return }
            earliest[money.currency] = day
        }
        for g in groups {
            guard let reader = Readers.reader(for: g.first.format) else { continue }
            var configuration = ReaderConfiguration(sourceName: g.name, role: g.first.role, columns: g.first.columns,
                                                    options: g.first.options, organisationId: organisationId ?? "")
            if g.first.role == .grantsIn && organisationId == nil {
                // Without the organisation's id a funder's file cannot be narrowed to its grants: read them all.
                guard let other = reader.roles.first(where: { $0 != .grantsIn }) else { continue }
                configuration.role = other
            }
            guard let instance = try? reader.init(configuration) else { continue }
            for f in g.files {
                let sink = RecordSink { record in
                    switch record {
                    case .movement(let m): note(m.amount, m.date)
                    case .grant(let g): note(g.amountAwarded, g.awardDate)
                    case .balance(let b): note(b.amount, b.date)
                    case .member: break
                    }
                }
                try? instance.read(path: root + "/" + f.path, displayPath: f.path, into: sink)
            }
        }
        return earliest.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The accounts and funds in the ledger sources, read with their readers.
    static func summarise(_ groups: [Group], root: String, _ draft: inout PipelineDraft) -> Ledger {
        var accounts: [String: (name: String, rows: Int, total: Int64, gross: Int64)] = [:]
        var funds = Set<String>()
        var latest: Day? = nil
        for g in groups {
            guard let reader = Readers.reader(for: g.first.format) else { continue }
            let configuration = ReaderConfiguration(sourceName: g.name, role: g.first.role, columns: g.first.columns, options: g.first.options)
            guard let instance = try? reader.init(configuration) else { continue }
            for f in g.files {
                let sink = RecordSink { record in
                    guard case .movement(let m) = record, m.amount.currency == .gbp || true else { return }
                    let key = m.account.isEmpty ? m.accountName : m.account
                    var a = accounts[key] ?? (m.accountName, 0, 0, 0)
                    a.rows += 1
                    a.total = a.total.addingReportingOverflow(m.amount.minorUnits).partialValue
                    a.gross = a.gross.addingReportingOverflow(m.amount.minorUnits == .min ? .max : Int64(m.amount.minorUnits.magnitude)).partialValue
                    accounts[key] = a
                    if !m.fund.isEmpty { funds.insert(m.fund) }
                    if latest == nil || m.date > latest! { latest = m.date }
                }
                do {
                    try instance.read(path: root + "/" + f.path, displayPath: f.path, into: sink)
                } catch {
                    draft.errors.append("\(error)")
                }
            }
        }
        if let latest { draft.suggestedPeriod = "\(latest.year)-Q\((latest.month - 1) / 3 + 1)" }
        var ledger = Ledger()
        ledger.accounts = accounts.map { (code: $0.key, name: $0.value.name, rows: $0.value.rows, total: $0.value.total, gross: $0.value.gross) }
            .sorted { ($0.total.magnitude, $0.code) > ($1.total.magnitude, $1.code) }
        ledger.funds = funds.sorted()
        return ledger
    }

    // MARK: Writing

    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c.value < 0x20 ? " " : c)
            }
        }
        return out + "\""
    }

    static func write(_ groups: [Group], ledger: Ledger, organisationId: String?, funders: [(id: String, name: String)]) -> String {
        var t = """
        # A first pipeline, written by `redist init` from the exports in this folder.
        # Check every line marked "fill in", then: redist check pipeline.toml
        # Paths are relative to this file.

        [organisation]
        id = \(quoted(organisationId ?? "GB-CHC-0000000"))\(organisationId == nil ? "              # fill in: your org-id (GB-CHC-<charity number>, GB-COH-<company number>)" : "   # found as the funder of your own grants register and a recipient in your funders' files")
        name = "Our organisation"                  # fill in
        currency = "GBP"
        financial_year_start = "04-01"            # fill in: MM-DD, the first day of your financial year

        """
        t += ratesBlock(ledger.otherCurrencies, reporting: ledger.currency)
        for g in groups {
            let f = g.first
            let prefix = f.blocked == nil ? "" : "# "
            t += "\n"
            if let why = f.blocked { t += "# Not used yet: \(why).\n" }
            t += "# \(g.files.count) file\(g.files.count == 1 ? "" : "s"): \(g.files.map(\.name).prefix(4).joined(separator: ", "))\(g.files.count > 4 ? ", …" : "")\n"
            t += "\(prefix)[[source]]\n"
            t += "\(prefix)name = \(quoted(g.name))\n"
            t += "\(prefix)role = \(quoted(f.role.rawValue))\n"
            t += "\(prefix)format = \(quoted(f.format))\n"
            t += "\(prefix)path = \(quoted(g.pattern))\n"
            if !f.columns.isEmpty {
                t += "\(prefix)[source.columns]                      # guessed from the header: check them\n"
                for (k, v) in f.columns.sorted(by: { order($0.key) < order($1.key) }) { t += "\(prefix)\(k) = \(quoted(v))\n" }
            }
            if !f.options.isEmpty {
                t += "\(prefix)[source.options]\n"
                for (k, v) in f.options.sorted(by: { $0.key < $1.key }) {
                    t += "\(prefix)\(k) = \(quoted(v))\(k == "date_format" ? "            # inferred from the dates" : "")\n"
                }
            }
        }
        if !groups.contains(where: { $0.first.role == .members && $0.first.blocked == nil }) {
            t += "\n# No member register was found (a CSV with identifier, name and consent columns).\n# Without one, redist run writes nothing: add a [[source]] with role = \"members\".\n"
        }
        if !funders.isEmpty {
            t += "\n# The funders named in the funders' files.\n"
            for f in funders {
                t += "\n[[funder]]\nid = \(quoted(f.id))\nname = \(quoted(f.name))\n"
            }
        }
        if !ledger.funds.isEmpty {
            t += "\n# Every fund code in the ledgers. Fill in each one's name and type\n# (unrestricted, designated, restricted with funders = [\"<funder id>\"], hosted).\n"
            for code in ledger.funds {
                t += "\n[[fund]]\ncode = \(quoted(code))\nname = \(quoted(code))                            # fill in\ntype = \"unrestricted\"                    # fill in\n"
            }
        }
        if !ledger.accounts.isEmpty {
            t += "\n# Every account in the ledgers, the largest total first. Give each a category\n"
            t += "# (income.grant, income.donation, redistributed.grant, retained.staff, …) and\n# remove the # signs to use it; what no rule matches is reported as unclassified.\n"
            for a in ledger.accounts {
                let money = Money(minorUnits: a.total, currency: ledger.currency)
                let label = a.name.isEmpty || a.name == a.code ? a.code : "\(a.code) \(a.name)"
                t += "\n# [[rule]]                    # \(label.replacingOccurrences(of: "\n", with: " ")): \(a.rows) row\(a.rows == 1 ? "" : "s"), total \(money.decimalString)\n"
                t += "# account = \(quoted(a.code))\n# category = \"\"\n"
            }
        }
        t += "\n[privacy]\nmin_group_count = 5\npseudonym_key_env = \"REDIST_PSEUDONYM_KEY\"\n"
        return t
    }

    /// Commented `[[rate]]` stubs, one per other currency found, dated on
    /// its earliest amount's day; nothing when every amount is in the
    /// reporting currency.
    static func ratesBlock(_ others: [(currency: Currency, earliest: Day)], reporting: Currency) -> String {
        guard !others.isEmpty else { return "" }
        let codes = others.map(\.currency.code)
        let list = codes.count == 1 ? codes[0] : codes.dropLast().joined(separator: ", ") + " and " + codes.last!
        var t = "\n# Amounts in \(list) were found, and the organisation reports in \(reporting.code): each is\n"
        t += "# converted at the rate dated on or before its day, and rejected when there is none.\n"
        t += "# Fill in the rates (or list them in a CSV named by rates = \"rates.csv\" in\n"
        t += "# [organisation], with the header date,currency,rate,source), then remove the # signs.\n"
        for o in others {
            t += "\n# [[rate]]\n"
            t += "# date = \(quoted(o.earliest.description))                 # the first day it holds: here the earliest \(o.currency.code) amount's\n"
            t += "# currency = \(quoted(o.currency.code))\n"
            t += "# rate = \"\"                             # fill in: \(reporting.code) for one \(o.currency.code), as a string (\"0.8556\")\n"
            t += "# source = \"\"                           # fill in: where the rate comes from (HMRC, Bank of England)\n"
        }
        return t
    }

    static func order(_ key: String) -> Int {
        ["date", "account", "account_name", "fund", "counterparty", "description", "reference", "amount", "direction", "paid_in", "paid_out",
         "debit", "credit", "currency", "id", "name", "kind", "region", "characteristics", "consent", "consent_date"].firstIndex(of: key) ?? 99
    }
}
