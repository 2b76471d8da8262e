import Foundation
import RedistIngest
import RedistModel

/// A pipeline file, checked: the organisation, its sources, funders, funds,
/// classification rules and privacy settings. Staff edit this, never code.
public struct Pipeline: Sendable {
    public struct Organisation: Sendable {
        public var id: String
        public var name: String
        public var currency: Currency
        public var financialYear: FinancialYear
    }

    public struct Source: Sendable {
        public var name: String
        public var role: SourceRole
        public var format: String
        public var path: String
        public var columns: [String: String]
        public var options: [String: String]
        public var line: Int
    }

    public struct Funder: Sendable, Hashable {
        public var id: String
        public var name: String
        /// The evidence pack's folder (and zip) name: from the name, else
        /// the id when the name has no ASCII letter or digit. Unique in a
        /// pipeline (checked when it is loaded).
        public var packFolder: String {
            let fromName = Slug.make(name)
            return fromName.isEmpty ? "funder-" + Slug.make(id) : fromName
        }
    }

    public enum FundType: String, Sendable, CaseIterable {
        case unrestricted, designated, restricted, hosted
    }

    public struct Fund: Sendable {
        public var code: String
        public var name: String
        public var type: FundType
        public var funders: [String]
        public var ringfenced: Bool
        public var group: String
    }

    public struct Privacy: Sendable {
        public var minGroupCount: Int = 5
        public var pseudonymKeyEnv: String = "REDIST_PSEUDONYM_KEY"
    }

    /// Where the warehouse is, when not the default SQLite file
    /// (`[warehouse] url = "postgresql://user@host:port/db"`).
    public struct WarehouseSettings: Sendable {
        /// A PostgreSQL URL (never with a password), or nil for the SQLite default.
        public var url: String?
        /// The environment variable holding the server's password.
        public var passwordEnv: String = PostgresLocation.defaultPasswordVariable
    }

    public struct Reconciliation: Sendable {
        public var dateWindowDays: Int = 10
        /// Differences up to this many minor units are not failures under `--strict`.
        public var tolerance: Int64 = 0
    }

    /// The `[reports]` table: how the HTML reports are made.
    public struct Reports: Sendable {
        /// A folder of edited templates, relative to the pipeline file as
        /// written; nil for the built-in templates.
        public var templates: String?
    }

    /// The pipeline file as the user named it.
    public var file: String
    /// The pipeline file's name in its folder, as reports show it: input
    /// files are shown relative to that folder too, so no report holds a
    /// path that depends on where the command was run from.
    public var fileName: String { URL(fileURLWithPath: file).lastPathComponent }
    /// The folder that relative paths are resolved from.
    public var directory: String
    /// The file name without `.toml`: names the default warehouse.
    public var name: String
    public var organisation: Organisation
    public var sources: [Source]
    public var funders: [Funder]
    public var funds: [Fund]
    public var rules: [Rule]
    public var privacy: Privacy
    public var reconciliation: Reconciliation
    public var warehouse = WarehouseSettings()
    public var reports = Reports()
    /// The rates that turn other currencies into the reporting currency:
    /// `[[rate]]` rows and the CSV `[organisation] rates` names, together.
    public var rates = RateTable()

    public func fund(_ code: String) -> Fund? { funds.first { $0.code == code } }
    /// The warehouse used when the command line names none: `[warehouse] url`,
    /// else `build/<name>.sqlite` beside the pipeline file (never in the
    /// folder the command happens to be started from).
    public var defaultWarehouse: String { warehouse.url ?? directory + "/build/\(name).sqlite" }
    /// The templates folder `[reports] templates` names, resolved from the pipeline file's folder.
    public var templatesDirectory: String? {
        reports.templates.map { $0.hasPrefix("/") ? $0 : directory + "/" + $0 }
    }
    public func funder(_ id: String) -> Funder? { funders.first { $0.id == id } }
}

extension Pipeline {
    /// The keys each table of the pipeline file accepts. The decoder checks
    /// against these lists, and docs/pipeline-reference.md documents every
    /// one (a test compares the two).
    public enum Keys {
        public static let root = ["organisation", "rate", "source", "funder", "fund", "rule", "privacy", "reconciliation", "warehouse", "reports"]
        public static let organisation = ["id", "name", "currency", "financial_year_start", "rates"]
        public static let rate = ["date", "currency", "rate", "source"]
        public static let source = ["name", "role", "format", "path", "columns", "options"]
        public static let funder = ["id", "name"]
        public static let fund = ["code", "name", "type", "funders", "ringfenced", "group"]
        public static let rule = ["account", "fund", "counterparty", "description", "direction", "source", "category", "counterparty_kind"]
        public static let privacy = ["min_group_count", "pseudonym_key_env"]
        public static let reconciliation = ["date_window_days", "tolerance"]
        public static let warehouse = ["url", "password_env"]
        public static let reports = ["templates"]

        /// Each table as the file writes it (`[organisation]`, `[[source]]`), with its keys.
        public static let tables: [(table: String, keys: [String])] = [
            ("[organisation]", organisation), ("[[rate]]", rate), ("[[source]]", source), ("[[funder]]", funder), ("[[fund]]", fund),
            ("[[rule]]", rule), ("[privacy]", privacy), ("[reconciliation]", reconciliation), ("[warehouse]", warehouse),
            ("[reports]", reports),
        ]
    }
}

/// A mistake in the pipeline file: exit status 2, with the file and line.
public struct PipelineError: Error, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
    /// `file:line: error: …`; without a line, `file: error: …`; about no file
    /// (the environment), `error: …`.
    public var description: String {
        file.isEmpty ? "error: \(message)" : line == 0 ? "\(file): error: \(message)" : "\(file):\(line): error: \(message)"
    }
}

extension Pipeline {
    /// Reads and checks a pipeline file. Every unknown key, wrong type or
    /// impossible value is an error naming the key and its line.
    public static func load(path: String) throws(PipelineError) -> Pipeline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(file: path, line: 0, "cannot read the pipeline file (does it exist?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineError(file: path, line: 0, "the pipeline file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(PipelineError) -> Pipeline {
        let root: TOML.Table
        do {
            root = try TOML.parse(text)
        } catch {
            throw PipelineError(file: file, line: error.line, "\(error.message) (column \(error.column))")
        }
        var d = Decoder(file: file)
        return try d.pipeline(root)
    }
}

/// Walks the TOML tree with the contract's keys, so typos are caught.
struct Decoder {
    let file: String

    func fail(_ line: Int, _ message: String) -> PipelineError { PipelineError(file: file, line: line, message) }

    func checkKeys(_ table: TOML.Table, allowed: [String], in context: String) throws(PipelineError) {
        for key in table.keys where !allowed.contains(key) {
            let suggestion = allowed.min { editDistance($0, key) < editDistance($1, key) }.flatMap { editDistance($0, key) <= 2 ? " — did you mean \"\($0)\"?" : nil } ?? ""
            throw fail(table[key]!.line, "unknown key \"\(key)\" in \(context)\(suggestion) (expected one of: \(allowed.joined(separator: ", ")))")
        }
    }

    func string(_ table: TOML.Table, _ key: String, in context: String, required: Bool = true, default fallback: String = "") throws(PipelineError) -> String {
        guard let node = table[key] else {
            if required { throw fail(table.line, "\(context) needs \(key) = \"…\"") }
            return fallback
        }
        guard case .string(let s) = node.value else { throw fail(node.line, "\(key) in \(context) should be a string, found \(node.value.typeName)") }
        return s
    }

    func strings(_ table: TOML.Table, _ key: String, in context: String) throws(PipelineError) -> [String]? {
        guard let node = table[key] else { return nil }
        switch node.value {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item.value else { throw fail(item.line, "\(key) in \(context) should hold strings, found \(item.value.typeName)") }
                out.append(s)
            }
            return out
        default: throw fail(node.line, "\(key) in \(context) should be a string or an array of strings, found \(node.value.typeName)")
        }
    }

    func bool(_ table: TOML.Table, _ key: String, in context: String) throws(PipelineError) -> Bool {
        guard let node = table[key] else { return false }
        guard case .bool(let b) = node.value else { throw fail(node.line, "\(key) in \(context) should be true or false, found \(node.value.typeName)") }
        return b
    }

    func integer(_ table: TOML.Table, _ key: String, in context: String, default fallback: Int) throws(PipelineError) -> Int {
        guard let node = table[key] else { return fallback }
        guard case .integer(let n) = node.value else { throw fail(node.line, "\(key) in \(context) should be an integer, found \(node.value.typeName)") }
        return n
    }

    func table(_ root: TOML.Table, _ key: String) throws(PipelineError) -> TOML.Table? {
        guard let node = root[key] else { return nil }
        guard case .table(let t) = node.value else { throw fail(node.line, "\(key) should be a table [\(key)], found \(node.value.typeName)") }
        return t
    }

    func tables(_ root: TOML.Table, _ key: String) throws(PipelineError) -> [TOML.Table] {
        guard let node = root[key] else { return [] }
        guard case .array(let items) = node.value else { throw fail(node.line, "\(key) should be written [[\(key)]], found \(node.value.typeName)") }
        var out: [TOML.Table] = []
        for item in items {
            guard case .table(let t) = item.value else { throw fail(item.line, "\(key) should be written [[\(key)]]") }
            out.append(t)
        }
        return out
    }

    func stringMap(_ table: TOML.Table, in context: String, allowed: [String]) throws(PipelineError) -> [String: String] {
        try checkKeys(table, allowed: allowed, in: context)
        var out: [String: String] = [:]
        for key in table.keys {
            let node = table[key]!
            switch node.value {
            case .string(let s): out[key] = s
            case .integer(let n): out[key] = String(n)
            case .bool(let b): out[key] = b ? "true" : "false"
            default: throw fail(node.line, "\(key) in \(context) should be a string, found \(node.value.typeName)")
            }
        }
        return out
    }

    /// `[[rate]]` rows and the rows of the `rates` CSV (`date, currency, rate,
    /// source`). A rate is a string, so it stays the exact decimal written.
    func rates(_ root: TOML.Table, organisation org: TOML.Table, currency: Currency, directory: String) throws(PipelineError) -> RateTable {
        var entries: [RateTable.Entry] = []
        func entry(_ date: String, _ code: String, _ rate: String, _ source: String, at location: SourceLocation,
                   fail: (Int, String) -> PipelineError) throws(PipelineError) {
            // `fail`'s first argument is the field at fault: 0 date, 1 currency, 2 rate, 3 source.
            guard let day = Day(iso: date) else { throw fail(0, "date \"\(date)\" of a rate is not a date as yyyy-mm-dd") }
            guard let other = Currency(code: code) else { throw fail(1, "currency \"\(code)\" of a rate is not an ISO 4217 code such as USD") }
            guard other != currency else { throw fail(1, "a rate for \(code), the reporting currency itself (expected another currency)") }
            guard let exact = ExchangeRate(rate) else {
                throw fail(2, "rate \"\(rate)\" is not a positive decimal such as 0.7850 (\(currency.code) for one \(code); at most \(ExchangeRate.maximumScale) decimals)")
            }
            if source.trimmingCharacters(in: .whitespaces).isEmpty { throw fail(3, "the rate for \(code) on \(date) names no source (expected where it came from, such as \"Bank of England XUDLUSS\")") }
            if let twin = entries.first(where: { $0.currency == other && $0.date == day }) {
                throw fail(0, "a second rate for \(code) on \(date) (the first is at \(twin.location))")
            }
            entries.append(RateTable.Entry(date: day, currency: other, rate: exact, source: source, location: location))
        }
        for t in try tables(root, "rate") {
            try checkKeys(t, allowed: Pipeline.Keys.rate, in: "[[rate]]")
            let values = [try string(t, "date", in: "[[rate]]"), try string(t, "currency", in: "[[rate]]"),
                          try string(t, "rate", in: "[[rate]]"), try string(t, "source", in: "[[rate]]")]
            try entry(values[0], values[1], values[2], values[3], at: SourceLocation(file: file, line: t.line)) { field, message in
                fail(t[Pipeline.Keys.rate[field]]?.line ?? t.line, message)
            }
        }
        if org["rates"] != nil {
            let path = try string(org, "rates", in: "[organisation]")
            let line = org["rates"]!.line
            let absolute = path.hasPrefix("/") ? path : directory + "/" + path
            guard FileManager.default.fileExists(atPath: absolute) else {
                throw fail(line, "rates in [organisation] names \"\(path)\", which does not exist (expected a CSV with the columns date, currency, rate, source)")
            }
            var rows: [(line: Int, fields: [String])] = []
            do {
                try CSVScanner().scan(path: absolute) { record in
                    rows.append((record.line, (0..<record.count).map { record.string($0).trimmingCharacters(in: .whitespaces) }))
                    return true
                }
            } catch {
                throw fail(line, "the rates file \(path) cannot be read: \(error)")
            }
            let header = ["date", "currency", "rate", "source"]
            guard let first = rows.first, first.fields.map({ $0.lowercased() }) == header else {
                throw PipelineError(file: path, line: 1, "the rates file's header should be \(header.joined(separator: ","))")
            }
            for row in rows.dropFirst() where !row.fields.allSatisfy(\.isEmpty) {
                guard row.fields.count == 4 else {
                    throw PipelineError(file: path, line: row.line, "a rate has \(row.fields.count) fields (expected 4: \(header.joined(separator: ", ")))")
                }
                try entry(row.fields[0], row.fields[1], row.fields[2], row.fields[3], at: SourceLocation(file: path, line: row.line)) { _, message in
                    PipelineError(file: path, line: row.line, message)
                }
            }
        }
        return RateTable(entries)
    }

    mutating func pipeline(_ root: TOML.Table) throws(PipelineError) -> Pipeline {
        try checkKeys(root, allowed: Pipeline.Keys.root, in: "the pipeline file")
        guard let org = try table(root, "organisation") else { throw fail(1, "the pipeline file needs an [organisation] table") }
        try checkKeys(org, allowed: Pipeline.Keys.organisation, in: "[organisation]")
        let currencyText = try string(org, "currency", in: "[organisation]", required: false, default: "GBP")
        guard let currency = Currency(code: currencyText) else {
            throw fail(org["currency"]?.line ?? org.line, "currency \"\(currencyText)\" is not an ISO 4217 code such as GBP")
        }
        let fyText = try string(org, "financial_year_start", in: "[organisation]", required: false, default: "04-01")
        guard let fy = FinancialYear(monthDay: fyText) else {
            throw fail(org["financial_year_start"]?.line ?? org.line, "financial_year_start \"\(fyText)\" is not a month and day as MM-DD, e.g. 04-01")
        }
        let organisation = Pipeline.Organisation(
            id: try string(org, "id", in: "[organisation]"), name: try string(org, "name", in: "[organisation]"),
            currency: currency, financialYear: fy)

        var sources: [Pipeline.Source] = []
        for t in try tables(root, "source") {
            try checkKeys(t, allowed: Pipeline.Keys.source, in: "[[source]]")
            let name = try string(t, "name", in: "[[source]]")
            let context = "[[source]] \"\(name)\""
            let roleText = try string(t, "role", in: context)
            guard let role = SourceRole(rawValue: roleText) else {
                throw fail(t["role"]!.line, "role \"\(roleText)\" in \(context) is not one of \(SourceRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let format = try string(t, "format", in: context)
            guard let reader = Readers.reader(for: format) else {
                throw fail(t["format"]!.line, "format \"\(format)\" in \(context) is not one of \(Readers.formats.joined(separator: ", "))")
            }
            guard reader.roles.contains(role) else {
                throw fail(t["role"]!.line, "a \(format) source cannot have role \(roleText) (it can be: \(reader.roles.map(\.rawValue).joined(separator: ", ")))")
            }
            if sources.contains(where: { $0.name == name }) { throw fail(t["name"]!.line, "two sources are named \"\(name)\"") }
            let columns = try table(t, "columns").map { (c) throws(PipelineError) in try stringMap(c, in: "[source.columns] of \"\(name)\"", allowed: reader.columnKeys) } ?? [:]
            let options = try table(t, "options").map { (o) throws(PipelineError) in try stringMap(o, in: "[source.options] of \"\(name)\"", allowed: reader.optionKeys) } ?? [:]
            let source = Pipeline.Source(name: name, role: role, format: format, path: try string(t, "path", in: context),
                                         columns: columns, options: options, line: t.line)
            do {
                _ = try reader.init(source.readerConfiguration(organisation))
            } catch {
                throw fail(t.line, "\(error)")
            }
            sources.append(source)
        }

        var funders: [Pipeline.Funder] = []
        for t in try tables(root, "funder") {
            try checkKeys(t, allowed: Pipeline.Keys.funder, in: "[[funder]]")
            let funder = Pipeline.Funder(id: try string(t, "id", in: "[[funder]]"), name: try string(t, "name", in: "[[funder]]"))
            let line = t["id"]?.line ?? t.line, nameLine = t["name"]?.line ?? t.line
            if funders.contains(where: { $0.id == funder.id }) {
                throw fail(line, "two funders have the id \"\(funder.id)\"")
            }
            // The name makes the evidence pack's folder and zip: too long a
            // name cannot be a file name, and two names that make the same
            // folder would have one pack overwrite the other.
            if funder.name.count > Slug.maximumLength {
                throw fail(nameLine, "the funder's name is \(funder.name.count) characters long; at most \(Slug.maximumLength) (its evidence pack's folder is named from it)")
            }
            if let other = funders.first(where: { $0.packFolder == funder.packFolder }) {
                throw fail(nameLine, "funders \"\(other.name)\" and \"\(funder.name)\" would share the evidence pack folder \"\(funder.packFolder)\"; give them names that differ in letters or digits")
            }
            funders.append(funder)
        }

        var funds: [Pipeline.Fund] = []
        for t in try tables(root, "fund") {
            try checkKeys(t, allowed: Pipeline.Keys.fund, in: "[[fund]]")
            let code = try string(t, "code", in: "[[fund]]")
            let context = "[[fund]] \"\(code)\""
            let typeText = try string(t, "type", in: context)
            guard let type = Pipeline.FundType(rawValue: typeText) else {
                throw fail(t["type"]!.line, "type \"\(typeText)\" in \(context) is not one of unrestricted, designated, restricted, hosted")
            }
            let fundFunders = try strings(t, "funders", in: context) ?? []
            for f in fundFunders where !funders.contains(where: { $0.id == f }) {
                throw fail(t["funders"]!.line, "funder \"\(f)\" in \(context) is not declared in a [[funder]] table")
            }
            if funds.contains(where: { $0.code == code }) { throw fail(t["code"]!.line, "two funds have the code \"\(code)\"") }
            funds.append(Pipeline.Fund(code: code, name: try string(t, "name", in: context), type: type, funders: fundFunders,
                                       ringfenced: try bool(t, "ringfenced", in: context),
                                       group: try string(t, "group", in: context, required: false)))
        }

        var rules: [Rule] = []
        for t in try tables(root, "rule") {
            rules.append(try rule(t, number: rules.count + 1))
        }

        var privacy = Pipeline.Privacy()
        if let p = try table(root, "privacy") {
            try checkKeys(p, allowed: Pipeline.Keys.privacy, in: "[privacy]")
            privacy.minGroupCount = try integer(p, "min_group_count", in: "[privacy]", default: 5)
            guard privacy.minGroupCount >= 1 else { throw fail(p["min_group_count"]!.line, "min_group_count must be 1 or more") }
            privacy.pseudonymKeyEnv = try string(p, "pseudonym_key_env", in: "[privacy]", required: false, default: privacy.pseudonymKeyEnv)
            if privacy.pseudonymKeyEnv.isEmpty || !privacy.pseudonymKeyEnv.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
                throw fail(p["pseudonym_key_env"]!.line, "pseudonym_key_env \"\(privacy.pseudonymKeyEnv)\" in [privacy] is not the name of an environment variable (expected letters, digits and _, such as REDIST_PSEUDONYM_KEY)")
            }
        }

        var reconciliation = Pipeline.Reconciliation()
        if let r = try table(root, "reconciliation") {
            try checkKeys(r, allowed: Pipeline.Keys.reconciliation, in: "[reconciliation]")
            reconciliation.dateWindowDays = try integer(r, "date_window_days", in: "[reconciliation]", default: 10)
            guard reconciliation.dateWindowDays >= 0 else {
                throw fail(r["date_window_days"]!.line, "date_window_days in [reconciliation] is \(reconciliation.dateWindowDays); a window cannot be negative (expected 0 or more days, such as 10)")
            }
            let tol = try string(r, "tolerance", in: "[reconciliation]", required: false, default: "0.00")
            guard let units = AmountParser(digits: currency.minorDigits).parse(tol), units >= 0 else {
                throw fail(r["tolerance"]!.line, "tolerance \"\(tol)\" is not an amount such as 0.00")
            }
            reconciliation.tolerance = units
        }

        var warehouse = Pipeline.WarehouseSettings()
        if let w = try table(root, "warehouse") {
            try checkKeys(w, allowed: Pipeline.Keys.warehouse, in: "[warehouse]")
            warehouse.passwordEnv = try string(w, "password_env", in: "[warehouse]", required: false, default: warehouse.passwordEnv)
            let url = try string(w, "url", in: "[warehouse]")
            do {
                _ = try PostgresLocation(url: url, passwordVariable: warehouse.passwordEnv)
            } catch {
                throw fail(w["url"]!.line, "url in [warehouse]: \(error.message)")
            }
            warehouse.url = url
        }

        var reports = Pipeline.Reports()
        if let r = try table(root, "reports") {
            try checkKeys(r, allowed: Pipeline.Keys.reports, in: "[reports]")
            if r["templates"] != nil {
                let dir = try string(r, "templates", in: "[reports]")
                if dir.isEmpty { throw fail(r["templates"]!.line, "templates in [reports] is empty (expected a folder, such as \"templates\", made with `redist templates copy`)") }
                reports.templates = dir
            }
        }

        let url = URL(fileURLWithPath: file)
        var pipeline = Pipeline(file: file, directory: url.deletingLastPathComponent().path,
                                name: url.deletingPathExtension().lastPathComponent, organisation: organisation,
                                sources: sources, funders: funders, funds: funds, rules: rules, privacy: privacy,
                                reconciliation: reconciliation)
        pipeline.warehouse = warehouse
        pipeline.reports = reports
        pipeline.rates = try rates(root, organisation: org, currency: currency, directory: pipeline.directory)
        return pipeline
    }

    func rule(_ t: TOML.Table, number: Int) throws(PipelineError) -> Rule {
        let context = "[[rule]] number \(number)"
        try checkKeys(t, allowed: Pipeline.Keys.rule, in: context)
        let categoryText = try string(t, "category", in: context)
        guard let category = Category(rawValue: categoryText) else {
            throw fail(t["category"]!.line, "category \"\(categoryText)\" in \(context) is not one of \(Category.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var account: AccountMatcher? = nil
        if let specs = try strings(t, "account", in: context) {
            guard let m = AccountMatcher(specs) else { throw fail(t["account"]!.line, "account in \(context) should be a code, a range such as \"7000-7099\", or a list of them") }
            if let (lo, hi) = m.reversedRange {
                throw fail(t["account"]!.line, "account range \"\(lo)-\(hi)\" in \(context) runs backwards, so it holds no code (expected the lower code first: \"\(hi)-\(lo)\")")
            }
            account = m
        }
        var direction: Rule.Direction? = nil
        if t["direction"] != nil {
            let text = try string(t, "direction", in: context)
            guard let d = Rule.Direction(rawValue: text) else { throw fail(t["direction"]!.line, "direction in \(context) should be \"in\" or \"out\", not \"\(text)\"") }
            direction = d
        }
        var description: NSRegularExpression? = nil
        if t["description"] != nil {
            let pattern = try string(t, "description", in: context)
            do {
                description = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            } catch {
                throw fail(t["description"]!.line, "description \"\(pattern)\" in \(context) is not a valid regular expression")
            }
        }
        var kind: OrganisationRole? = nil
        if t["counterparty_kind"] != nil {
            let text = try string(t, "counterparty_kind", in: context)
            guard let k = OrganisationRole(rawValue: text) else {
                throw fail(t["counterparty_kind"]!.line, "counterparty_kind \"\(text)\" in \(context) is not one of \(OrganisationRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kind = k
        }
        let rule = Rule(number: number, line: t.line, account: account, funds: try strings(t, "fund", in: context),
                        counterparties: try strings(t, "counterparty", in: context)?.map { $0.lowercased() },
                        description: description, direction: direction, sources: try strings(t, "source", in: context),
                        category: category, counterpartyKind: kind)
        if rule.matcherCount == 0 { throw fail(t.line, "\(context) matches everything: give it account, fund, counterparty, description, direction or source") }
        return rule
    }
}

extension Pipeline.Source {
    func readerConfiguration(_ organisation: Pipeline.Organisation) -> ReaderConfiguration {
        ReaderConfiguration(sourceName: name, role: role, columns: columns, options: options,
                            organisationId: organisation.id, currency: organisation.currency)
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
