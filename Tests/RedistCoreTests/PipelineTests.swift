import Foundation
@testable import RedistCore
import RedistIngest
import RedistModel
import Testing

@Suite("Pipeline file")
struct PipelineTests {
    static let minimal = """
    [organisation]
    id = "GB-CHC-1"
    name = "Hub"

    """

    /// The error a pipeline text gives, as printed, or nil when it is fine.
    func error(_ text: String) -> String? {
        do {
            _ = try Pipeline.parse(text, file: "p.toml")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func theExamplePipelineLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("pipelines/example.toml").path
        let p = try Pipeline.load(path: path)
        #expect(p.name == "example")
        #expect(p.organisation.id == "GB-CHC-9990012")
        #expect(p.organisation.currency == .gbp)
        #expect(p.organisation.financialYear == FinancialYear(startMonth: 4, startDay: 1))
        #expect(!p.sources.isEmpty && !p.funds.isEmpty && !p.rules.isEmpty)
        #expect(p.rules.map(\.number) == Array(1...p.rules.count))
        #expect(p.directory == (path as NSString).deletingLastPathComponent)
    }

    @Test func defaultsForWhatIsLeftOut() throws {
        let p = try Pipeline.parse(Self.minimal, file: "dir/minimal.toml")
        #expect(p.organisation.currency == .gbp)
        #expect(p.organisation.financialYear == FinancialYear(startMonth: 4, startDay: 1))
        #expect(p.privacy.minGroupCount == 5)
        #expect(p.privacy.pseudonymKeyEnv == "REDIST_PSEUDONYM_KEY")
        #expect(p.reconciliation.dateWindowDays == 10)
        #expect(p.reconciliation.tolerance == 0)
        #expect(p.name == "minimal")
        #expect(p.sources.isEmpty && p.funds.isEmpty && p.rules.isEmpty)
    }

    @Test func sourcesFundsRulesAndSettingsAreRead() throws {
        let p = try Pipeline.parse("""
        [organisation]
        id = "GB-CHC-1"
        name = "Hub"
        currency = "usd"
        financial_year_start = "01-01"

        [[source]]
        name = "cashbook"
        role = "ledger"
        format = "csv"
        path = "exports/*.csv"
        [source.columns]
        date = "Date"
        amount = "Amount"
        [source.options]
        date_format = "dd/mm/yyyy"
        skip_lines = 2
        decimal_comma = true

        [[funder]]
        id = "GB-CHC-2"
        name = "Funder"

        [[fund]]
        code = "R"
        name = "Restricted"
        type = "restricted"
        funders = ["GB-CHC-2"]
        ringfenced = true

        [[rule]]
        account = ["7000-7099", "8000"]
        direction = "out"
        category = "retained.overhead"

        [[rule]]
        description = "^grant"
        counterparty_kind = "individual"
        category = "redistributed.payment"

        [privacy]
        min_group_count = 3

        [reconciliation]
        date_window_days = 5
        tolerance = "0.50"
        """, file: "p.toml")
        #expect(p.organisation.currency.code == "USD")
        #expect(p.organisation.financialYear == FinancialYear(startMonth: 1, startDay: 1))
        let source = try #require(p.sources.first)
        #expect(source.role == .ledger && source.format == "csv" && source.path == "exports/*.csv")
        #expect(source.columns == ["date": "Date", "amount": "Amount"])
        // Integers and booleans in [source.options] are kept as text for the reader.
        #expect(source.options == ["date_format": "dd/mm/yyyy", "skip_lines": "2", "decimal_comma": "true"])
        #expect(source.line == 7)
        let fund = try #require(p.fund("R"))
        #expect(fund.type == .restricted && fund.funders == ["GB-CHC-2"] && fund.ringfenced && fund.group == "")
        #expect(p.funder("GB-CHC-2")?.name == "Funder")
        #expect(p.rules.count == 2)
        #expect(p.rules[0].account?.matches("7050") == true && p.rules[0].account?.matches("8000") == true)
        #expect(p.rules[0].direction == .out)
        #expect(p.rules[1].counterpartyKind == .individual)
        #expect(p.rules[1].line == 36)
        #expect(p.privacy.minGroupCount == 3)
        #expect(p.reconciliation.dateWindowDays == 5)
        #expect(p.reconciliation.tolerance == 50)
    }

    @Test func anUnknownKeyIsNamedWithItsLineAndASuggestion() {
        #expect(error("""
        [organisation]
        id = "GB-CHC-1"
        name = "Hub"
        currancy = "GBP"
        """) == "p.toml:4: error: unknown key \"currancy\" in [organisation] — did you mean \"currency\"? (expected one of: id, name, currency, financial_year_start, rates)")
        #expect(error(Self.minimal + "[extras]\nx = 1\n") == "p.toml:4: error: unknown key \"extras\" in the pipeline file (expected one of: organisation, rate, source, funder, fund, rule, privacy, reconciliation, warehouse, reports)")
    }

    @Test func theWarehouseCanBeAPostgreSQLServer() throws {
        let p = try Pipeline.parse(Self.minimal + """
        [warehouse]
        url = "postgresql://redist@127.0.0.1:5433/hubs?schema=northfield"
        password_env = "REDIST_PG_PASSWORD"
        """, file: "p.toml")
        #expect(p.warehouse.url == "postgresql://redist@127.0.0.1:5433/hubs?schema=northfield")
        #expect(p.warehouse.passwordEnv == "REDIST_PG_PASSWORD")
        #expect(p.defaultWarehouse == "postgresql://redist@127.0.0.1:5433/hubs?schema=northfield")
        let location = try PostgresLocation(url: p.defaultWarehouse, passwordVariable: p.warehouse.passwordEnv)
        #expect(try location == PostgresLocation(url: "postgresql://redist@127.0.0.1:5433/hubs?schema=northfield",
                                             passwordVariable: "REDIST_PG_PASSWORD"))
        #expect(location.user == "redist" && location.host == "127.0.0.1" && location.port == 5433)
        #expect(location.database == "hubs" && location.schema == "northfield" && location.tls == .prefer)
        #expect(location.description == "postgresql://redist@127.0.0.1:5433/hubs?schema=northfield")
        // Without [warehouse], the SQLite file named after the pipeline, beside it (not in the current folder).
        #expect(try Pipeline.parse(Self.minimal, file: "/srv/hub/p.toml").defaultWarehouse == "/srv/hub/build/p.sqlite")
        let cwd = FileManager.default.currentDirectoryPath
        #expect(try Pipeline.parse(Self.minimal, file: "dir/p.toml").defaultWarehouse == cwd + "/dir/build/p.sqlite")
    }

    @Test func aWarehouseURLThatCannotBeUsedIsNamedWithItsLine() {
        func warehouse(_ body: String) -> String? { error(Self.minimal + "[warehouse]\n" + body + "\n") }
        #expect(warehouse(#"url = "postgresql://u:secret@h/db""#)
                == "p.toml:5: error: url in [warehouse]: the warehouse URL holds a password: give it in the environment variable PGPASSWORD instead, never in a file or on the command line")
        #expect(warehouse(#"url = "mysql://u@h/db""#)
                == "p.toml:5: error: url in [warehouse]: \"mysql://u@h/db\" is not a PostgreSQL URL (expected postgresql://user@host:port/database)")
        #expect(warehouse(#"url = "postgresql://u@h""#)
                == "p.toml:5: error: url in [warehouse]: the warehouse URL names no database (expected postgresql://user@host:port/database)")
        #expect(warehouse(#"url = "postgresql://h/db""#)
                == "p.toml:5: error: url in [warehouse]: the warehouse URL names no user (expected postgresql://user@host:port/database)")
        #expect(warehouse(#"url = "postgresql://u@h/db?schema=a;drop""#)
                == "p.toml:5: error: url in [warehouse]: schema \"a;drop\" in the warehouse URL is not a plain name (expected letters, digits and _)")
        #expect(warehouse(#"url = "postgresql://u@h/db?pasword=x""#)
                == "p.toml:5: error: url in [warehouse]: \"pasword\" in the warehouse URL is not known (expected schema or sslmode)")
        #expect(warehouse("password_env = \"X\"")
                == "p.toml:4: error: [warehouse] needs url = \"…\"")
        #expect(warehouse("uri = \"x\"")?.hasPrefix("p.toml:5: error: unknown key \"uri\" in [warehouse] — did you mean \"url\"?") == true)
    }

    @Test func anUnknownColumnOrOptionForTheFormatIsNamed() {
        let source = """
        [[source]]
        name = "cashbook"
        role = "ledger"
        format = "csv"
        path = "x.csv"
        [source.columns]
        date = "Date"
        amout = "Amount"
        """
        #expect(error(Self.minimal + source)?.hasPrefix("p.toml:11: error: unknown key \"amout\" in [source.columns] of \"cashbook\" — did you mean \"amount\"?") == true)
        let xero = "[[source]]\nname = \"xero\"\nrole = \"ledger\"\nformat = \"xero\"\npath = \"x.csv\"\n[source.options]\ndate_format = \"dd/mm/yyyy\"\n"
        #expect(error(Self.minimal + xero) == "p.toml:10: error: unknown key \"date_format\" in [source.options] of \"xero\" (expected one of: encoding, currency, round_amounts)")
    }

    @Test func aWrongTypeIsNamedWithItsLine() {
        #expect(error(Self.minimal + "[privacy]\nmin_group_count = \"five\"\n") == "p.toml:5: error: min_group_count in [privacy] should be an integer, found a string")
        #expect(error("[organisation]\nid = 12\nname = \"Hub\"\n") == "p.toml:2: error: id in [organisation] should be a string, found an integer")
        #expect(error(Self.minimal + "[[fund]]\ncode = \"R\"\nname = \"R\"\ntype = \"restricted\"\nringfenced = \"yes\"\n") == "p.toml:8: error: ringfenced in [[fund]] \"R\" should be true or false, found a string")
        #expect(error(Self.minimal + "[[rule]]\naccount = [5000]\ncategory = \"transfer\"\n") == "p.toml:5: error: account in [[rule]] number 1 should hold strings, found an integer")
        #expect(error(Self.minimal + "[[source]]\nname = \"a\"\nrole = \"ledger\"\nformat = \"csv\"\npath = \"x\"\ncolumns = [\"Date\"]\n") == "p.toml:9: error: columns should be a table [columns], found an array")
        #expect(error("source = \"x\"\n" + Self.minimal) == "p.toml:1: error: source should be written [[source]], found a string")
        #expect(error("organisation = 1\n") == "p.toml:1: error: organisation should be a table [organisation], found an integer")
    }

    @Test func formatsRolesAndCategoriesMustBeKnown() {
        func source(_ format: String, _ role: String) -> String {
            Self.minimal + "[[source]]\nname = \"s\"\nrole = \"\(role)\"\nformat = \"\(format)\"\npath = \"x\"\n"
        }
        #expect(error(source("excel", "ledger")) == "p.toml:7: error: format \"excel\" in [[source]] \"s\" is not one of \(Readers.formats.joined(separator: ", "))")
        #expect(error(source("csv", "funder")) == "p.toml:6: error: role \"funder\" in [[source]] \"s\" is not one of ledger, grants-in, grants-out, bank, members")
        #expect(error(source("xero", "grants-out")) == "p.toml:6: error: a xero source cannot have role grants-out (it can be: ledger)")
        #expect(error(Self.minimal + "[[rule]]\naccount = \"5000\"\ncategory = \"redistributed.grants\"\n")
            == "p.toml:6: error: category \"redistributed.grants\" in [[rule]] number 1 is not one of \(Category.allCases.map(\.rawValue).joined(separator: ", "))")
        #expect(error(Self.minimal + "[[fund]]\ncode = \"R\"\nname = \"R\"\ntype = \"temporary\"\n") == "p.toml:7: error: type \"temporary\" in [[fund]] \"R\" is not one of unrestricted, designated, restricted, hosted")
    }

    @Test func aReaderThatCannotWorkIsNamedAtItsSource() {
        let text = Self.minimal + "[[source]]\nname = \"cashbook\"\nrole = \"ledger\"\nformat = \"csv\"\npath = \"x.csv\"\n[source.columns]\namount = \"Amount\"\n"
        #expect(error(text) == "p.toml:4: error: source \"cashbook\": [source.columns] needs date = \"<column header>\"")
    }

    @Test func inconsistenciesAreErrors() {
        let source = "[[source]]\nname = \"s\"\nrole = \"grants-out\"\nformat = \"360giving\"\npath = \"x\"\n"
        #expect(error(Self.minimal + source + source) == "p.toml:10: error: two sources are named \"s\"")
        let fund = "[[fund]]\ncode = \"R\"\nname = \"R\"\ntype = \"restricted\"\n"
        #expect(error(Self.minimal + fund + fund) == "p.toml:9: error: two funds have the code \"R\"")
        #expect(error(Self.minimal + fund + "funders = [\"GB-CHC-404\"]\n") == "p.toml:8: error: funder \"GB-CHC-404\" in [[fund]] \"R\" is not declared in a [[funder]] table")
        #expect(error(Self.minimal + "[[rule]]\ncategory = \"transfer\"\n") == "p.toml:4: error: [[rule]] number 1 matches everything: give it account, fund, counterparty, description, direction or source")
        #expect(error(Self.minimal + "[[rule]]\ndescription = \"(unclosed\"\ncategory = \"transfer\"\n") == "p.toml:5: error: description \"(unclosed\" in [[rule]] number 1 is not a valid regular expression")
        #expect(error(Self.minimal + "[[rule]]\ndirection = \"sideways\"\ncategory = \"transfer\"\n") == "p.toml:5: error: direction in [[rule]] number 1 should be \"in\" or \"out\", not \"sideways\"")
        #expect(error(Self.minimal + "[[rule]]\naccount = \"\"\ncategory = \"transfer\"\n") == "p.toml:5: error: account in [[rule]] number 1 should be a code, a range such as \"7000-7099\", or a list of them")
        #expect(error(Self.minimal + "[[rule]]\naccount = \"1\"\ncounterparty_kind = \"person\"\ncategory = \"transfer\"\n")?.hasPrefix("p.toml:6: error: counterparty_kind \"person\" in [[rule]] number 1 is not one of funder, self,") == true)
    }

    @Test func organisationSettingsAreChecked() {
        #expect(error("[organisation]\nid = \"X\"\nname = \"Y\"\ncurrency = \"pounds\"\n") == "p.toml:4: error: currency \"pounds\" is not an ISO 4217 code such as GBP")
        #expect(error("[organisation]\nid = \"X\"\nname = \"Y\"\nfinancial_year_start = \"April\"\n") == "p.toml:4: error: financial_year_start \"April\" is not a month and day as MM-DD, e.g. 04-01")
        #expect(error("[organisation]\nid = \"X\"\n") == "p.toml:1: error: [organisation] needs name = \"…\"")
        #expect(error("[privacy]\nmin_group_count = 5\n") == "p.toml:1: error: the pipeline file needs an [organisation] table")
        #expect(error(Self.minimal + "[privacy]\nmin_group_count = 0\n") == "p.toml:5: error: min_group_count must be 1 or more")
        #expect(error(Self.minimal + "[reconciliation]\ntolerance = \"-1.00\"\n") == "p.toml:5: error: tolerance \"-1.00\" is not an amount such as 0.00")
    }

    @Test func aTOMLMistakeNamesLineAndColumn() {
        #expect(error(Self.minimal + "[[rule]]\naccount = 5000-5999\n") == "p.toml:5: error: \"5000-5999\" is not a value (strings need quotes: \"5000-5999\") (column 11)")
    }

    @Test func loadingAFileThatIsNotThere() throws {
        #expect(throws: PipelineError.self) { try Pipeline.load(path: "/nonexistent/pipeline.toml") }
        do {
            _ = try Pipeline.load(path: "/nonexistent/pipeline.toml")
        } catch {
            #expect(error.description == "/nonexistent/pipeline.toml: error: cannot read the pipeline file (does it exist?)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redist-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let latin1 = dir.appendingPathComponent("latin1.toml")
        try Data([0x5B, 0x6F, 0x5D, 0x0A, 0x6E, 0x3D, 0x22, 0xE9, 0x22, 0x0A]).write(to: latin1)
        do {
            _ = try Pipeline.load(path: latin1.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "the pipeline file is not UTF-8 text")
        }
    }
}

/// `[[rate]]` rows and the `rates` CSV make one table of exact rates; every
/// mistake in them names its line.
@Suite("Pipeline rates")
struct PipelineRatesTests {
    static let minimal = PipelineTests.minimal

    func error(_ text: String) -> String? { PipelineTests().error(text) }

    static func rate(_ date: String = "2024-04-01", _ currency: String = "USD", _ rate: String = "0.7913", _ source: String = "BoE") -> String {
        "[[rate]]\ndate = \"\(date)\"\ncurrency = \"\(currency)\"\nrate = \"\(rate)\"\nsource = \"\(source)\"\n"
    }

    @Test func rateRowsAreReadExactly() throws {
        let p = try Pipeline.parse(Self.minimal + Self.rate() + Self.rate("2024-05-01", "USD", "0.80125"), file: "p.toml")
        let usd = try #require(Currency(code: "USD"))
        #expect(p.rates.entries.count == 2)
        let may = try #require(p.rates.rate(usd, on: Day(iso: "2024-05-31")!))
        #expect(may.rate == ExchangeRate(numerator: 80125, scale: 5))
        #expect(may.source == "BoE")
        #expect(p.rates.rate(usd, on: Day(iso: "2024-03-31")!) == nil)
    }

    @Test func aRatesFileIsReadBesideTheRows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rates-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "date,currency,rate,source\n2024-04-01,EUR,0.8556,\"Bank of England, XUDLERS\"\n".write(toFile: dir + "/rates.csv", atomically: true, encoding: .utf8)
        let text = Self.minimal.replacingOccurrences(of: "name = \"Hub\"", with: "name = \"Hub\"\nrates = \"rates.csv\"") + Self.rate()
        try text.write(toFile: dir + "/p.toml", atomically: true, encoding: .utf8)
        let p = try Pipeline.load(path: dir + "/p.toml")
        let eur = try #require(p.rates.rate(Currency(code: "EUR")!, on: Day(iso: "2024-04-02")!))
        #expect(eur.source == "Bank of England, XUDLERS")
        #expect(eur.rate.description == "0.8556")
        #expect(p.rates.entries.count == 2)
        try "date,currency,rate,source\n2024-04-01,EUR,abc,BoE\n".write(toFile: dir + "/rates.csv", atomically: true, encoding: .utf8)
        #expect(throws: PipelineError.self) { try Pipeline.load(path: dir + "/p.toml") }
        do { _ = try Pipeline.load(path: dir + "/p.toml") } catch {
            #expect(error.description == "rates.csv:2: error: rate \"abc\" is not a positive decimal such as 0.7850 (GBP for one EUR; at most 12 decimals)")
        }
    }

    @Test func mistakesNameTheirLine() {
        // minimal is 3 lines; [[rate]] is line 4, date 5, currency 6, rate 7, source 8.
        #expect(error(Self.minimal + Self.rate("2024-13-01")) == "p.toml:5: error: date \"2024-13-01\" of a rate is not a date as yyyy-mm-dd")
        #expect(error(Self.minimal + Self.rate("2024-04-01", "GBP")) == "p.toml:6: error: a rate for GBP, the reporting currency itself (expected another currency)")
        #expect(error(Self.minimal + Self.rate("2024-04-01", "USD", "1.2e3")) == "p.toml:7: error: rate \"1.2e3\" is not a positive decimal such as 0.7850 (GBP for one USD; at most 12 decimals)")
        #expect(error(Self.minimal + Self.rate("2024-04-01", "USD", "0.79", " ")) == "p.toml:8: error: the rate for USD on 2024-04-01 names no source (expected where it came from, such as \"Bank of England XUDLUSS\")")
        #expect(error(Self.minimal + Self.rate() + Self.rate()) == "p.toml:10: error: a second rate for USD on 2024-04-01 (the first is at p.toml:4)")
        #expect(error(Self.minimal + "[[rate]]\ndate = \"2024-04-01\"\ncurrency = \"USD\"\nrate = \"0.79\"\nsorce = \"x\"\n")?.contains("unknown key \"sorce\" in [[rate]] — did you mean \"source\"?") == true)
        #expect(error(Self.minimal.replacingOccurrences(of: "name = \"Hub\"", with: "name = \"Hub\"\nrates = \"nowhere.csv\""))?.contains("rates in [organisation] names \"nowhere.csv\", which does not exist") == true)
    }
}
