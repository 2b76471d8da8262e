import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// Where the real exports are: `<repo>/../shared/corpus`, read in place.
enum CSVCorpus {
    static let directory: String? = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpus").standardizedFileURL.path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    static var available: Bool { directory != nil }

    static func path(_ relative: String) -> String { (directory ?? "/nonexistent") + "/" + relative }

    /// The files of one corpus folder, sorted; none when the corpus is absent.
    static func files(_ folder: String) -> [String] {
        guard let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + folder) else { return [] }
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder + "/" + $0 }
    }

    /// A deliberately tiny, separate reading of a CSV file (quotes, doubled
    /// quotes, CRLF; no encodings, no streaming), so the scanner's counts are
    /// checked against something that is not the scanner.
    static func independentRecords(_ bytes: [UInt8]) -> (records: [[String]], lines: Int) {
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var lines = 0
        var i = 0
        func endRecord() {
            record.append(String(decoding: field, as: UTF8.self))
            field = []
            if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
            record = []
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A { lines += 1 }
            if inQuotes {
                if b == 0x22 {
                    if i + 1 < bytes.count && bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                    inQuotes = false
                } else {
                    field.append(b)
                }
            } else if b == 0x22 {
                inQuotes = true
            } else if b == 0x2C {
                record.append(String(decoding: field, as: UTF8.self))
                field = []
            } else if b == 0x0A {
                endRecord()
            } else if b != 0x0D {
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty { endRecord() }
        return (records, lines)
    }

    /// `2900`, `4437.5` as pence, by hand.
    static func pence(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard !t.isEmpty, parts.count <= 2, let whole = Int64(parts[0]) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = String(parts[1].prefix(2)).padding(toLength: 2, withPad: "0", startingAt: 0)
            guard let f = Int64(digits) else { return nil }
            fraction = f
        }
        return whole * 100 + fraction
    }
}

/// The real exports in `../shared/corpus`, which this repository does not
/// hold: the suite is skipped, saying so, when the folder is absent.
@Suite("CSV corpus", .enabled(if: CSVCorpus.available, "../shared/corpus is absent: the tests against real exports are skipped"))
struct CorpusCSVTests {
    typealias S = CSVTestSupport

    /// Figures stated in the corpus's SOURCES.md: records, physical lines, repeated identifiers, blank identifiers.
    static let published: [String: (records: Int, lines: Int?, duplicates: Int?, blank: Int)] = [
        "ThreeSixtyGiving__data-conversion__Arts-Council-of-Wales.csv": (4_020, 9_911, 252, 0),
        "ThreeSixtyGiving__data-conversion__Arts-Council-England.csv": (2_162, nil, nil, 0),
        "ThreeSixtyGiving__data-conversion__ACNI.csv": (755, nil, 63, 0),
        "ThreeSixtyGiving__data-conversion__Sport-England_exchequer-awards.csv": (2_434, nil, 788, 0),
        "ThreeSixtyGiving__data-conversion__Sport-England_lottery-awards.csv": (11_140, nil, 824, 1),
        "OpenDataServices__cove__WellcomeTrust-grants_2_grants.csv": (2, nil, nil, 0),
    ]

    func grantsOut() -> ThreeSixtyGivingReader {
        try! ThreeSixtyGivingReader(ReaderConfiguration(sourceName: "register", role: .grantsOut, organisationId: "GB-CHC-9990012"))
    }

    func mapped(_ columns: [String: String], _ options: [String: String] = [:]) -> MappedCSVReader {
        try! CSVTestSupport.mapped(columns, options: options)
    }

    // MARK: 360Giving

    /// Every 360Giving CSV in the corpus, as a grants-out register: every record
    /// is read once, and the counts agree with an independent reading and with
    /// the figures the corpus publishes.
    @Test(arguments: CSVCorpus.files("360giving-csv") + CSVCorpus.files("large").filter { $0.hasSuffix(".csv") })
    func threeSixtyGivingFilesAreReadRecordForRecord(_ relative: String) throws {
        let path = CSVCorpus.path(relative)
        let name = (relative as NSString).lastPathComponent
        let out = S.read(grantsOut(), path, display: name)
        #expect(out.failure == nil, "\(out.failure?.description ?? "")")

        let independent = CSVCorpus.independentRecords(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        let header = try #require(independent.records.first)
        let rows = independent.records.dropFirst()
        let idColumn = try #require(header.firstIndex(of: "Identifier"))
        let amountColumn = try #require(header.firstIndex(of: "Amount Awarded"))
        let ids = rows.map { $0[idColumn].trimmingCharacters(in: .whitespaces) }
        var seen: Set<String> = []
        let repeats = ids.filter { !$0.isEmpty && !seen.insert($0).inserted }.count
        let blanks = ids.filter(\.isEmpty).count
        let awarded = zip(ids, rows).filter { !$0.0.isEmpty }.compactMap { CSVCorpus.pence($0.1[amountColumn]) }.reduce(0, +)

        #expect(out.sink.rowsRead == rows.count)
        #expect(out.sink.rowsLoaded == rows.count - blanks)
        #expect(out.sink.rowsRejected == blanks)
        #expect(out.grants.count == rows.count - blanks)
        #expect(out.findings(.duplicateIdentifier).count == repeats)
        #expect(out.sink.amountLoaded == awarded)
        #expect(out.totalsBalance)
        // Every grant keeps the line its record starts on, in order.
        let lines = out.grants.map(\.location.line)
        #expect(lines == lines.sorted())

        if let known = Self.published[name] {
            #expect(rows.count == known.records)
            #expect(out.sink.rowsRead == known.records)
            if let physical = known.lines { #expect(independent.lines == physical) }
            if let duplicates = known.duplicates { #expect(out.findings(.duplicateIdentifier).count == duplicates) }
            #expect(out.sink.rowsRejected == known.blank)
        } else {
            Issue.record("\(name) is not in the published figures: add its counts from SOURCES.md")
        }
    }

    /// Arts Council of Wales: 805 records hold quoted line breaks; each grant
    /// is located at the line its record starts on.
    @Test func multiLineRecordsKeepTheirStartingLine() throws {
        let out = S.read(grantsOut(), CSVCorpus.path("360giving-csv/ThreeSixtyGiving__data-conversion__Arts-Council-of-Wales.csv"))
        let starts = out.grants.map(\.location.line)
        let spans = zip(starts, starts.dropFirst()).map { $1 - $0 }
        #expect(spans.filter { $0 > 1 }.count == 805)
        // The backslash in a place name is data, not an escape.
        #expect(out.grants.contains { $0.beneficiaryLocation == "South Wales Central\\Vale of Glamorgan" })
        #expect(out.grants.first?.recipientId == "")
        #expect(out.findings(.missingColumn).count == 1)
    }

    /// Sport England's lottery awards: the largest real file, 11,140 rows, one without an Identifier.
    @Test func theLargeLotteryFile() throws {
        let out = S.read(grantsOut(), CSVCorpus.path("large/ThreeSixtyGiving__data-conversion__Sport-England_lottery-awards.csv"),
                         display: "lottery.csv")
        #expect(out.sink.rowsRead == 11_140)
        #expect(out.grants.count == 11_139)
        #expect(out.sink.amountLoaded == 118_082_957_100)
        let blank = try #require(out.findings(.rejectGrant).first)
        #expect(blank.rendered.hasPrefix("lottery.csv:"))
        #expect(blank.message == "the grant has no Identifier (expected a 360Giving identifier such as 360G-ABC-0001)")
        // The converter's copy-paste slip is kept as published, not corrected.
        #expect(out.grants.allSatisfy { $0.identifier.hasPrefix("360G-ACW-") })
    }

    /// Wellcome's excerpt: day-first award dates and fields padded with long runs of spaces.
    @Test func wellcomeDatesAndPadding() throws {
        let out = S.read(grantsOut(), CSVCorpus.path("360giving-csv/OpenDataServices__cove__WellcomeTrust-grants_2_grants.csv"))
        #expect(out.grants.map(\.awardDate) == [Day(year: 2014, month: 7, day: 24), Day(year: 2014, month: 7, day: 24)])
        #expect(out.grants.map(\.amountAwarded.minorUnits) == [15_250_500, 17_899_000])
        // Padding is trimmed; the first grant's recipient has no identifier in the file.
        #expect(out.grants.map(\.recipientName) == ["Animate Project Limited", "UNIVERSITY OF LEICESTER"])
        #expect(out.grants.map(\.recipientId) == ["", "GB-COH-RC000659"])
        #expect(out.grants.allSatisfy { $0.funderId == "GB-CHC-210183" })
        // The file gives each grant's planned duration, but no start or end date.
        #expect(out.grants.map(\.durationMonths) == [30, 25])
        #expect(out.grants.allSatisfy { $0.plannedStart == nil && $0.plannedEnd == nil })
        #expect(out.findings(.plannedDate).isEmpty)
    }

    // MARK: Accounting exports through the mapped CSV reader

    @Test func austrianBankSemicolonsAndDecimalCommas() throws {
        let reader = mapped(["date": "3", "description": "2", "amount": "5", "currency": "6", "account": "1"],
                            ["header": "none", "delimiter": ";", "decimal_comma": "true", "date_format": "dd/mm/yyyy"])
        let out = S.read(reader, CSVCorpus.path("accounting-csv/cantino__reckon__austrian_example.csv"))
        #expect(out.failure == nil)
        #expect(out.errors.isEmpty)
        #expect(out.movements.count == 13)
        #expect(out.movements.first?.amount == Money(minorUnits: -1_800, currency: Currency(code: "EUR")!))
        #expect(out.movements.first?.date == Day(year: 2014, month: 1, day: 22))
        #expect(out.movements[2].amount.minorUnits == 12_000)
        #expect(out.movements.map(\.amount.minorUnits).reduce(0, +) == -14_957)
        #expect(out.movements.allSatisfy { $0.account == "00075757575" })
        #expect(out.movements[7].description.hasPrefix("Abbuchung Einzugsermächtigung"))
    }

    @Test func austrianBankWithAHeaderMappingFailsClearly() {
        let reader = mapped(["date": "Buchungsdatum", "amount": "Betrag"], ["delimiter": ";", "decimal_comma": "true"])
        let out = S.read(reader, CSVCorpus.path("accounting-csv/cantino__reckon__austrian_example.csv"), display: "austrian.csv")
        let message = try? #require(out.failure?.description)
        #expect(message?.hasPrefix("austrian.csv:1: error: the header has no column \"Betrag\", \"Buchungsdatum\" (found: \"00075757575\",") == true)
    }

    @Test func brazilianExtratoInWindows1252() throws {
        let reader = mapped(["date": "Data", "description": "Histórico", "reference": "Número do documento", "amount": "Valor"],
                            ["date_format": "mm/dd/yyyy"])
        let out = S.read(reader, CSVCorpus.path("accounting-csv/cantino__reckon__extratofake.csv"))
        #expect(out.failure == nil)
        #expect(out.findings(.encoding).map(\.message) == ["not UTF-8: read as Windows-1252"])
        #expect(out.movements.count == 23)
        #expect(out.errors.isEmpty)
        #expect(out.movements.map(\.amount.minorUnits).reduce(0, +) == 90_500)
        #expect(out.movements[1].description == "Transferência on line - 01/11 4885     256620-6 XXXXXXXXXXXXX")
        #expect(out.movements.contains { $0.description == "Cobrança de I.O.F." })
        #expect(out.movements.first?.date == Day(year: 2012, month: 10, day: 31))
        #expect(out.movements.map(\.location.line) == Array(2...24))
    }

    @Test func schwabDollarAmountsAfterATitleLine() throws {
        let reader = mapped(["date": "Date", "description": "Description", "reference": "Check #",
                             "paid_out": "Withdrawal (-)", "paid_in": "Deposit (+)"],
                            ["skip_lines": "1", "date_format": "mm/dd/yyyy", "currency": "USD"])
        let out = S.read(reader, CSVCorpus.path("accounting-csv/jbms__beancount-import__EAC_Checking_Transactions_20201223-160009.CSV"))
        #expect(out.failure == nil)
        #expect(out.movements.count == 12)
        #expect(out.movements.prefix(3).map(\.amount.minorUnits) == [300, 2_000_000, -1_050_000])
        #expect(out.movements.first(where: { $0.reference == "1002" })?.amount.minorUnits == -123_411)
        #expect(out.movements.allSatisfy { $0.amount.currency.code == "USD" })
        // The two marker rows are not transactions: rejected, each with its line, as rows of one field under a header of seven.
        #expect(out.findings(.rejectFields).map(\.location.line) == [3, 4])
        #expect(out.findings(.rejectFields).first?.message == "the row has 1 field but the header has 7 (expected 7: a value or a comma is missing, or a quote is out of place)")
        #expect(out.totalsBalance)
        // The running balance column: dollar signs with and without thousands separators.
        let balances = S.read(mapped(["date": "Date", "amount": "RunningBalance"], ["skip_lines": "1", "date_format": "mm/dd/yyyy", "currency": "USD"]),
                              CSVCorpus.path("accounting-csv/jbms__beancount-import__EAC_Checking_Transactions_20201223-160009.CSV"))
        #expect(balances.movements.map(\.amount.minorUnits) == [2_005_301, 2_005_001, 5_001, 1_055_001, 255_000, 255_055, 1_155_000,
                                                                 113_394, 113_385, 113_999, 111_181, 789_000])
    }

    @Test func venmoSignsSpacesAndDollarSigns() throws {
        let reader = mapped(["id": "ID", "date": "Datetime", "amount": "Amount (total)", "description": "Note", "counterparty": "To"],
                            ["currency": "USD"])
        let out = S.read(reader, CSVCorpus.path("accounting-csv/jbms__beancount-import__transactions.csv"))
        #expect(out.errors.isEmpty)
        #expect(out.movements.map(\.amount.minorUnits) == [-22_000, -55_900, 115_000, -115_000, -12_000, -300, 142_373, -8_250, -134_123, -224, -2_284])
        #expect(out.movements.first?.nativeId == "2394198259925614643")  // the header's " ID", found despite its space
        #expect(out.movements.first?.date == Day(year: 2017, month: 4, day: 25))
        #expect(out.movements.last?.date == Day(year: 2022, month: 2, day: 18))
    }

    @Test func payPalHeaderOnlyWithAByteOrderMark() throws {
        let reader = mapped(["date": "Date", "amount": "Gross", "description": "Name", "reference": "Transaction ID"])
        let out = S.read(reader, CSVCorpus.path("accounting-csv/cantino__reckon__bom_utf8_file.csv"))
        #expect(out.failure == nil)  // "Date", the first title, is found behind the BOM
        #expect(out.records.isEmpty)
        #expect(out.sink.rowsRead == 0)
    }

    @Test func nationwideHasNoHeader() throws {
        let withHeader = S.read(mapped(["date": "Date", "paid_in": "Paid in", "paid_out": "Paid out"], ["date_format": "d MMM yyyy"]),
                                CSVCorpus.path("accounting-csv/cantino__reckon__nationwide.csv"), display: "nationwide.csv")
        #expect(withHeader.failure?.description == "nationwide.csv:1: error: the header has no column \"Date\", \"Paid in\", \"Paid out\" (found: \"07 Nov 2013\", \"Bank credit\", \"Bank credit\", \"£500.00\", \"£500.00\"); change date = \"Date\", paid_in = \"Paid in\", paid_out = \"Paid out\" in [source.columns] to the header the file uses, or, if the file has no header row, set header = \"none\" in [source.options] and map the columns by number")
        let byNumber = S.read(mapped(["date": "1", "description": "3", "paid_out": "4", "paid_in": "5"], ["header": "none", "date_format": "d MMM yyyy"]),
                              CSVCorpus.path("accounting-csv/cantino__reckon__nationwide.csv"))
        #expect(byNumber.movements.map(\.amount.minorUnits) == [50_000, -2_000, -1_977, -10_000])
        #expect(byNumber.movements.first?.date == Day(year: 2013, month: 11, day: 7))
    }

    /// The same file is Nationwide's statement CSV with its header lines cut
    /// off: the bank-nationwide preset claims it by the shape of its first
    /// row and reads it with no mapping at all.
    @Test func nationwideWithoutItsHeaderIsClaimedAndReadByItsPreset() throws {
        let path = CSVCorpus.path("accounting-csv/cantino__reckon__nationwide.csv")
        #expect(BankCSVReader<NationwidePreset>.claims(FileHead(path: path)))
        let reader = try BankCSVReader<NationwidePreset>(ReaderConfiguration(sourceName: "bank", role: .bank))
        let out = S.read(reader, path)
        #expect(out.sink.rowsRejected == 0)
        #expect(out.movements.map(\.amount.minorUnits) == [50_000, -2_000, -1_977, -10_000])
        #expect(out.movements.map(\.description) == ["Bank credit", "Withdrawal", "Supermarket", "ATM Withdrawal 4"])
        #expect(out.movements.first?.date == Day(year: 2013, month: 11, day: 7))
        // A headerless file of another shape is not Nationwide's.
        #expect(!BankCSVReader<NationwidePreset>.claims(FileHead(bytes: Array("07 Nov 2013,Bank credit,500.00\n".utf8))))
    }

    /// The US bank's yyyy/mm/dd dates with `($85.00)` negatives and `$` signs.
    @Test func usBankSlashedISODatesAndParenthesisedNegatives() throws {
        let reader = mapped(["date": "2", "description": "3", "amount": "4"], ["header": "none", "date_format": "yyyy/mm/dd", "currency": "USD"])
        let out = S.read(reader, CSVCorpus.path("accounting-csv/cantino__reckon__some_other.csv"), display: "some_other.csv")
        #expect(out.sink.rowsRejected == 0)
        #expect(out.movements.count == 9)
        #expect(out.movements.first?.date == Day(year: 2011, month: 12, day: 24))
        #expect(out.movements.first?.amount.minorUnits == -8_500)
        #expect(out.sink.amountLoaded == 8_500 + 2_000 + 700 + 352_000 + 155_852 + 23 + 96 + 11_622 + 210_500)
        // Read with the wrong format, every row says so, with its amount counted as rejected money.
        let wrong = S.read(mapped(["date": "2", "description": "3", "amount": "4"], ["header": "none", "date_format": "yyyy-mm-dd", "currency": "USD"]),
                           CSVCorpus.path("accounting-csv/cantino__reckon__some_other.csv"), display: "some_other.csv")
        #expect(wrong.sink.rowsRejected == 9)
        #expect(wrong.errors.first == "some_other.csv:1:7: error: \"2011/12/24\" is not a date (expected a date as yyyy-mm-dd, e.g. 2024-03-31)")
        // Read as pounds (the source's currency not given), its dollar amounts are refused, never taken for pounds.
        let pounds = S.read(mapped(["date": "2", "description": "3", "amount": "4"], ["header": "none", "date_format": "yyyy/mm/dd"]),
                            CSVCorpus.path("accounting-csv/cantino__reckon__some_other.csv"), display: "some_other.csv")
        #expect(pounds.movements.isEmpty)
        #expect(pounds.errors.first == "some_other.csv:1:63: error: \"($85.00)\" has the symbol $ but the amounts of this source are in GBP (expected £ or no symbol)")
    }

    @Test func mintUnpaddedMonthFirstDates() throws {
        let reader = mapped(["date": "Date", "amount": "Amount", "description": "Description"], ["date_format": "mm/dd/yyyy"])
        let out = S.read(reader, CSVCorpus.path("accounting-csv/jbms__beancount-import__mint.csv"))
        #expect(out.movements.map(\.date) == [Day(year: 2016, month: 8, day: 10), Day(year: 2013, month: 11, day: 27), Day(year: 2013, month: 12, day: 2)])
        // Mint's amounts are unsigned (the sign is in "Transaction Type"): read as written.
        #expect(out.movements.map(\.amount.minorUnits) == [245, 6_688, 6_688])
    }

    /// YNAB4's right-to-left dinar amounts are not an amount spelling redist accepts: each row says so.
    @Test func ynabRightToLeftCurrencyIsRefusedClearly() throws {
        let reader = mapped(["date": "Date", "paid_out": "Outflow", "paid_in": "Inflow", "description": "Memo"], ["currency": "JOD"])
        let out = S.read(reader, CSVCorpus.path("accounting-csv/simonmichael__hledger__ynab4-rtl.csv"), display: "ynab.csv")
        #expect(out.movements.isEmpty)
        #expect(out.sink.rowsRejected == 2)
        #expect(out.errors.first == "ynab.csv:2:60: error: \"د.ا.\u{200F}0.000\" is not an amount (\(AmountParser.expectation))")
    }

    @Test func stripeLowerCaseCurrenciesAndTimestamps() throws {
        let reader = mapped(["date": "created_utc", "amount": "gross", "currency": "currency", "reference": "balance_transaction_id",
                             "description": "description"])
        let out = S.read(reader, CSVCorpus.path("accounting-csv/simonmichael__hledger__stripe.csv"))
        #expect(out.movements.map(\.amount) == [Money(minorUnits: 1_200, currency: Currency(code: "USD")!),
                                                Money(minorUnits: -77, currency: Currency(code: "USD")!)])
        #expect(out.movements.map(\.date) == [Day(year: 2020, month: 1, day: 23), Day(year: 2020, month: 1, day: 23)])
        #expect(out.movements.first?.description == "")
        #expect(out.movements.last?.description == "REFUND FOR PAYMENT")
    }
}
