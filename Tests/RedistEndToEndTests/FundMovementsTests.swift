import Foundation
import RedistCore
import RedistModel
import RedistPipeline
import RedistReports
import Testing

/// The analysis of fund movements (`fund_movements.csv` and the trustees'
/// table), against the figures the other outputs already give.
@Suite(.serialized) struct FundMovementsTests {
    static func money(_ s: String) -> Int64 { AmountParser(digits: 2).parse(s)! }

    /// Every row adds up, the `all` row is the sum of the fund rows, each
    /// fund's closing balance is summary.csv's `held`, and one quarter's
    /// opening is the quarter before's closing.
    @Test func everyRowAddsUpAndAgreesWithSummary() throws {
        let dir = temporaryDirectory()
        var closingBefore: [String: Int64] = [:]
        for period in ["2023-Q3", "2023-Q4", "2024-Q1"] {
            let run = runPipeline(period: period, out: dir + "/" + period, warehouse: dir + "/w.sqlite")
            #expect(run.status == 0, "\(run.log)")
            let rows = parseCSV(dir + "/\(period)/fund_movements.csv")
            #expect(rows[0] == FundMovementsCSV.header)
            let h = rows[0]
            func v(_ r: [String], _ name: String) -> Int64 { Self.money(r[h.firstIndex(of: name)!]) }
            let mine = rows.dropFirst().filter { $0[0] == period }
            #expect(mine.count == 7, "six funds and the total")
            for r in mine {
                #expect(v(r, "opening") + v(r, "income") - v(r, "expenditure") + v(r, "transfers") == v(r, "closing"), "\(r)")
            }
            let funds = mine.filter { $0[1] != "all" }
            let total = try #require(mine.first { $0[1] == "all" })
            for name in ["opening", "income", "expenditure", "transfers", "closing"] {
                #expect(funds.reduce(0) { $0 + v($1, name) } == v(total, name), "\(period) \(name)")
            }
            // Transfers move money between our own funds: across all of them, nothing.
            #expect(v(total, "transfers") == 0)
            let summary = parseCSV(dir + "/\(period)/summary.csv")
            let sh = summary[0]
            for r in funds {
                let s = try #require(summary.first { $0[1] == "fund" && $0[2] == r[1] })
                #expect(Self.money(s[sh.firstIndex(of: "held")!]) == v(r, "closing"), "\(period) \(r[1]) closing is held")
                if let before = closingBefore[r[1]] { #expect(v(r, "opening") == before, "\(period) \(r[1]) opening") }
                closingBefore[r[1]] = v(r, "closing")
            }
            let org = try #require(summary.first { $0[1] == "organisation" })
            #expect(Self.money(org[sh.firstIndex(of: "held")!]) == v(total, "closing"))
        }
    }

    /// Unrestricted first (designated inside it), then restricted, then hosted.
    @Test func fundsAreGroupedAsAccountsGroupThem() throws {
        let dir = temporaryDirectory()
        _ = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
        let rows = parseCSV(dir + "/out/fund_movements.csv").dropFirst().filter { $0[0] == "2024-Q1" }
        #expect(rows.map { $0[3] } == ["unrestricted", "designated", "restricted", "restricted", "restricted", "hosted", "all"])
        // The year to date follows, under its own dates.
        #expect(parseCSV(dir + "/out/fund_movements.csv").contains { $0[0] == "2023-04-01..2024-03-31" && $0[1] == "all" })
    }

    /// The writer refuses a row that does not add up.
    @Test func writerRefusesARowThatDoesNotAddUp() throws {
        let bad = FundMovement(fund: "GEN", name: "General", type: "unrestricted", opening: 100, income: 50, expenditure: 20,
                               transfers: 0, closing: 131, unclassifiedIn: 0, unclassifiedOut: 0)
        let table = FundMovements(period: Period("2024-Q1")!, funds: [bad], total: bad)
        #expect(throws: FundMovementsError.self) { try FundMovementsCSV.render([table], currency: Currency(code: "GBP")!) }
        var good = bad
        good.closing = 130
        let ok = FundMovements(period: Period("2024-Q1")!, funds: [good], total: good)
        #expect(try FundMovementsCSV.render([ok], currency: Currency(code: "GBP")!).count > 0)
    }

    /// The trustees' report shows the table and says whether we spent more or less than came in.
    @Test func trusteesReportShowsMovementsAndReserves() throws {
        let dir = temporaryDirectory()
        _ = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
        let html = text(dir + "/out/trustees.html")
        let csv = parseCSV(dir + "/out/fund_movements.csv")
        let total = try #require(csv.first { $0[0] == "2024-Q1" && $0[1] == "all" })
        let gap = Self.money(total[6]) - Self.money(total[5])
        let words = gap > 0 ? "more than came in" : "less than came in"
        #expect(html.contains("This quarter we spent £") && html.contains(words))
        #expect(html.contains("<caption id=\"movements-caption\">Fund movements, Q4 2023/24"))
        #expect(html.contains("free reserves"))
        #expect(html.contains("as their agent"))
    }

    /// A trustee's words fit the organisation: a hub with no hosted
    /// project, small-costs pot or paid experts reads nothing about them,
    /// and a single quarter is never "the last 1 quarters".
    @Test func wordsFitAnOrganisationWithoutHostingOrExperts() throws {
        let dir = temporaryDirectory()
        let fixture = Repo.root + "/Tests/RedistEndToEndTests/Fixtures/recon"
        let pipeline = dir + "/pipeline.toml"
        try String(contentsOfFile: fixture + "/pipeline.toml", encoding: .utf8).replacingOccurrences(of: "TOLERANCE", with: "0.00")
            .write(toFile: pipeline, atomically: true, encoding: .utf8)
        for f in ["ledger.csv", "funder.csv"] { try FileManager.default.copyItem(atPath: fixture + "/" + f, toPath: dir + "/" + f) }
        let ledger = parseCSV(dir + "/ledger.csv")
        let quarter = try #require(ledger.dropFirst().first.map { row -> String in
            let d = Day(iso: row[0]) ?? Day(iso: String(row[0].prefix(10)))!
            return "\(d.year)-Q\((d.month - 1) / 3 + 1)"
        })
        let run = runPipeline(pipeline, period: quarter, out: dir + "/out", warehouse: dir + "/w.sqlite")
        #expect(run.status == 0 || run.status == 1, "\(run.log)")
        let html = text(dir + "/out/trustees.html")
        #expect(!html.isEmpty)
        for phrase in ["projects we host", "expertise", "Small-costs pot", "Hosting fees", "Hosted projects", "the last 1 quarters"] {
            #expect(!html.contains(phrase), "\(phrase)")
        }
        #expect(html.contains("Words used in this report") && html.contains("Free reserves"))
    }

    /// A period with no movement at all warns, on stderr and in the report.
    @Test func anEmptyPeriodWarns() throws {
        let dir = temporaryDirectory()
        let run = runPipeline(period: "2021-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
        #expect(run.log.contains { $0.contains("warning: no ledger movement is dated in 2021-Q1") })
        #expect(text(dir + "/out/trustees.html").contains("There is no data for this quarter"))
        #expect(text(dir + "/out/trustees.html").contains("as at no data"))
    }

    /// "As at" is the latest movement on or before the period's end, not the latest in the data.
    @Test func asAtIsTheLatestMovementInThePeriod() throws {
        let dir = temporaryDirectory()
        _ = runPipeline(period: "2023-Q3", out: dir + "/out", warehouse: dir + "/w.sqlite")
        let html = text(dir + "/out/trustees.html")
        let subtitle = try #require(html.split(separator: "\n").first { $0.contains("as at") })
        #expect(subtitle.contains("September 2023"), "\(subtitle)")
    }

    /// A financial-year label names the period everywhere alike: summary.csv,
    /// fund_movements.csv and the report; the report's own name is accepted back.
    @Test func financialYearLabelsAgreeAcrossOutputs() throws {
        let dir = temporaryDirectory()
        let fy = FinancialYear(startMonth: 4, startDay: 1)
        for (text, label, name) in [("2023/24-Q3", "2023/24-Q3", "Q3 2023/24"), ("Q3 2023/24", "2023/24-Q3", "Q3 2023/24")] {
            let period = try #require(Period(text, financialYear: fy))
            #expect(period.label == label)
            var lines: [String] = []
            let out = dir + "/" + String(text.filter { $0.isLetter || $0.isNumber })
            let status = PipelineRun.run(RunOptions(pipelinePath: Repo.examplePipeline, period: period, outDirectory: out,
                                                    warehousePath: dir + "/w.sqlite", templatesDirectory: Repo.templates,
                                                    environment: ["REDIST_PSEUDONYM_KEY": "golden-test-key"])) { lines.append($0) }
            #expect(status == 0, "\(lines)")
            #expect(try #require(parseCSV(out + "/summary.csv").dropFirst().first)[0] == label)
            #expect(try #require(parseCSV(out + "/fund_movements.csv").dropFirst().first)[0] == label)
            let html = String(decoding: read(out + "/trustees.html"), as: UTF8.self)
            #expect(html.contains("Report to trustees for \(name)"))
            #expect(html.contains("<code>\(label)</code>"))
        }
    }

    /// transactions.csv's signed_amount: in positive, out negative, after the contract's columns.
    @Test func signedAmountSumsToTheNetMovement() throws {
        let dir = temporaryDirectory()
        _ = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
        let rows = parseCSV(dir + "/out/transactions.csv")
        #expect(Array(rows[0].prefix(14)) == Array(TransactionsCSV.header.prefix(14)))
        #expect(rows[0][14] == "signed_amount")
        #expect(Array(rows[0].suffix(5)) == ["original_amount", "original_currency", "rate", "rate_date", "rate_source"])
        var net: Int64 = 0
        for r in rows.dropFirst() {
            let amount = Self.money(r[9]), signed = Self.money(r[14])
            #expect(signed == (r[8] == "out" ? -amount : amount), "\(r)")
            net += signed
        }
        let movements = parseCSV(dir + "/out/fund_movements.csv")
        let total = try #require(movements.first { $0[0] == "2024-Q1" && $0[1] == "all" })
        #expect(net == Self.money(total[8]) - Self.money(total[4]), "the net movement is closing less opening")
    }

    /// quality.csv: errors, then warnings, then the files' control totals,
    /// then one row per other kind of note, counted.
    @Test func qualityListsWhatNeedsActionFirst() throws {
        let dir = temporaryDirectory()
        _ = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
        let rows = Array(parseCSV(dir + "/out/quality.csv").dropFirst())
        let rank = rows.map { ["error": 0, "warning": 1, "note": 2][$0[3]]! }
        #expect(rank == rank.sorted())
        let notes = rows.filter { $0[3] == "note" && $0[4] != "control-totals" }
        #expect(Set(notes.map { $0[4] }).count == notes.count, "one row per kind of note")
        let balanceRows = try #require(notes.first { $0[4] == "skip.balance-row" })
        #expect(balanceRows[5].hasPrefix("126 of this kind"), "\(balanceRows)")
        #expect(rows.count < 60)
    }
}

/// Consent read from the member register's scope and expiry columns, end to end.
@Suite(.serialized) struct ScopedConsentTests {
    /// A group that agreed to be named to one funder only is named in no other
    /// funder's pack and not in open data; one whose consent has expired nowhere.
    @Test func scopeAndExpiryDecideWhoSeesTheName() throws {
        let copy = try SampleCopy()
        let toml = try String(contentsOfFile: copy.pipeline, encoding: .utf8)
        try toml.replacingOccurrences(of: "consent_date = \"Consent date\"",
                                      with: "consent_date = \"Consent date\"\nconsent_scope = \"Named to\"\nconsent_expires = \"Consent ends\"")
            .write(toFile: copy.pipeline, atomically: true, encoding: .utf8)
        try copy.edit("members.csv") { text in
            text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { i, line -> String in
                if i == 0 { return line + ",Named to,Consent ends" }
                if line.isEmpty { return String(line) }
                if line.contains("Pendle Sisters Circle") { return line + ",funders: Marlow Lane Trust," }
                if line.contains("Severn Rural Peer Link") { return line + ",public,2023-12-31" }
                return line + ",,"
            }.joined(separator: "\n")
        }
        let run = copy.run()
        #expect(run.status == 0, "\(run.log)")
        let pack = text(copy.out + "/evidence/tidewater-foundation/index.html")
        #expect(!pack.isEmpty)
        for name in ["Pendle Sisters Circle", "Severn Rural Peer Link"] {
            #expect(!pack.contains(name), "\(name) is named in Tidewater's pack")
            #expect(!text(copy.out + "/evidence/tidewater-foundation/flows.csv").contains(name))
            #expect(!text(copy.out + "/open-data/360giving.csv").contains(name), "\(name) is in open data")
        }
    }
}

/// The bank balance statement and the same quarter last year, in the trustees' report.
@Suite(.serialized) struct BankAndLastYearTests {
    /// A closing balance the items do not explain is shown as the unexplained remainder, to the penny.
    @Test func anUnexplainedRemainderIsShownAsSuch() throws {
        let copy = try SampleCopy()
        try copy.edit("bank/statement-2024-Q1.xml") { $0.replacingOccurrences(of: "<Amt Ccy=\"GBP\">45879.44</Amt>", with: "<Amt Ccy=\"GBP\">45889.44</Amt>") }
        _ = copy.run()
        let html = text(copy.out + "/trustees.html")
        #expect(html.contains("<tr><th scope=\"row\">The bank statement's closing balance</th><td class=\"num\">£45,889.44</td></tr>"))
        #expect(html.contains("<tr class=\"total\"><th scope=\"row\">Unexplained remainder</th><td class=\"num\">£10.00</td></tr>"))
        #expect(html.contains("£10 of the bank's closing balance is not explained"))
    }

    @Test func theSameQuarterLastYearStandsBesideThisOne() throws {
        let dir = temporaryDirectory()
        _ = runPipeline(period: "2024-Q2", out: dir + "/out", warehouse: dir + "/w.sqlite")
        let html = text(dir + "/out/trustees.html")
        #expect(html.contains("<caption>Q1 2024/25 beside the same quarter last year (Q1 2023/24)</caption>"))
        // Where the records do not reach back, it says so instead.
        let q1 = temporaryDirectory()
        _ = runPipeline(period: "2024-Q1", out: q1 + "/out", warehouse: q1 + "/w.sqlite")
        #expect(text(q1 + "/out/trustees.html").contains("do not reach back to the same quarter last year"))
    }
}
