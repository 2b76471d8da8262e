import RedistModel

/// One export layout of a bank's CSV: the column titles that identify it
/// (or, for a file with no header row, the shape of its first row), and
/// which column is which, as a `[source.columns]` mapping would say.
public struct BankLayout: Sendable {
    /// What the bank calls the export, for messages (`Business Internet Banking CSV`).
    public var name: String
    /// Titles that must all be in the header row (compared ignoring case and
    /// surrounding spaces); empty for a file with no header row.
    public var titles: [String]
    /// `[source.columns]`: field to column title (or, with no header row, number from 1).
    public var columns: [String: String]
    /// `[source.options]`: `date_format`, `debit_means`.
    public var options: [String: String]
    /// For a file with no header row: whether its first row is this layout.
    public var firstRow: (@Sendable ([String]) -> Bool)? = nil

    public init(_ name: String, titles: [String], columns: [String: String], options: [String: String],
                firstRow: (@Sendable ([String]) -> Bool)? = nil) {
        self.name = name
        self.titles = titles
        self.columns = columns
        self.options = options
        self.firstRow = firstRow
    }

    /// The date spelling the file's first dated row uses, when it is not the
    /// layout's own but another a UK bank writes (`15 Apr 2026`, `15/04/2026`,
    /// `2026-04-15`; never month first): one bank's export has changed its
    /// dates over the years while its columns stayed the same. Nil keeps the
    /// layout's (a `date_format` in the pipeline file wins over both).
    func dateFormatSeen(in head: FileHead, headerRow: Int) -> DateFormat? {
        guard let own = options["date_format"].flatMap(DateFormat.init(rawValue:)), let title = columns["date"] else { return nil }
        let rows = head.csvRows
        let index: Int?, data: ArraySlice<[String]>
        if titles.isEmpty {
            index = Int(title).map { $0 - 1 }
            data = rows[...]
        } else {
            guard headerRow >= 0, headerRow < rows.count else { return nil }
            index = HeaderIndex(titles: rows[headerRow]).index(of: title)
            data = rows[(headerRow + 1)...]
        }
        guard let i = index, let value = data.lazy.compactMap({ i < $0.count && !$0[i].isEmpty ? $0[i] : nil }).first else { return nil }
        if own.parse(Substring(value)) != nil { return nil }
        return [DateFormat.dayMonthNameYear, .dayMonthYear, .iso].first { $0.parse(Substring(value)) != nil }
    }

    /// The index of the header row among the head's rows, if this layout's header is there.
    func headerRow(in head: FileHead) -> Int? {
        if titles.isEmpty {
            guard let first = head.csvRows.first, firstRow?(first) == true else { return nil }
            return -1
        }
        return head.csvRows.firstIndex { row in
            let folded = Set(row.map { HeaderIndex.fold($0) })
            return titles.allSatisfy { folded.contains(HeaderIndex.fold($0)) }
        }
    }
}

/// A bank's CSV exports: its layouts, tried in order.
public protocol BankPreset {
    /// `bank-<name>`.
    static var format: String { get }
    /// The bank as people call it.
    static var bank: String { get }
    static var layouts: [BankLayout] { get }
    /// Whether a file that matches a layout is claimed by content (`redist
    /// init`); false for a preset of generic titles that any CSV could have.
    static var claimsByContent: Bool { get }
}

extension BankPreset {
    public static var claimsByContent: Bool { true }
}

/// A UK bank's CSV export read through its preset: the layout is recognised
/// by the file's header row (title lines above it, as Nationwide and
/// Barclays.Net write, are passed over), then read as the mapped CSV reader
/// reads a mapped file, with the bank's own conventions for sign and date.
/// A file that matches none of the bank's layouts is refused, listing them.
public struct BankCSVReader<Preset: BankPreset>: SourceReader {
    public static var format: String { Preset.format }
    public static var roles: [SourceRole] { [.bank] }
    public static var columnKeys: [String] { [] }
    public static var optionKeys: [String] { ["encoding", "currency", "round_amounts"] }

    let configuration: ReaderConfiguration

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        _ = try configuration.fileCurrency()
        _ = try configuration.encoding()
    }

    public static func claims(_ head: FileHead) -> Bool {
        Preset.claimsByContent && Preset.layouts.contains { $0.headerRow(in: head) != nil }
    }

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let head = FileHead(path: path, limit: 64 * 1024)
        guard let (layout, row) = Preset.layouts.lazy.compactMap({ l in l.headerRow(in: head).map { (l, $0) } }).first else {
            let expected = Preset.layouts.map { l in
                l.titles.isEmpty ? "\(l.name) (no header row)" : "\(l.name) (\(l.titles.joined(separator: ", ")))"
            }.joined(separator: "; ")
            let found = head.csvRows.first.map { $0.prefix(12).map { "\"\($0)\"" }.joined(separator: ", ") } ?? "nothing"
            throw FileFailure(SourceLocation(file: displayPath, line: 1),
                              "not a \(Preset.bank) CSV export this preset knows: no header row with the columns of \(expected) (found: \(found))")
        }
        var options = layout.options
        if let seen = layout.dateFormatSeen(in: head, headerRow: row) { options["date_format"] = seen.rawValue }
        for (k, v) in configuration.options { options[k] = v }
        if layout.titles.isEmpty { options["header"] = "none" } else if row > 0 { options["skip_lines"] = String(row) }
        var mapped = configuration
        mapped.columns = layout.columns
        mapped.options = options
        try MappedCSVReader(mapped).read(path: path, displayPath: displayPath, into: sink)
    }
}

// MARK: The presets

/// Lloyds Bank, Bank of Scotland and Halifax (one banking group, one
/// export): Business Internet Banking and personal Internet Banking write
/// `Transaction Date,Transaction Type,Sort Code,Account Number,Transaction
/// Description,Debit Amount,Credit Amount,Balance`, dates dd/mm/yyyy, money
/// out in Debit Amount. The group does not publish this layout; it is the
/// one its exports carry, as open-source importers read them. Commercial
/// Banking Online's Balances & Transactions export is documented by the
/// bank ("What is a CSV export", resources.lloydsbank.com/cbonlinesupport/
/// payments/importing/what-is-a-csv-export/): `Post Date, Account Number,
/// Account Name, Type, Amount, Customer Reference, Transaction Detail,
/// Balance`, DD/MM/YYYY, the amount signed with "-" for money out.
public enum LloydsPreset: BankPreset {
    public static let format = "bank-lloyds"
    public static let bank = "Lloyds, Bank of Scotland or Halifax"
    public static var layouts: [BankLayout] { [
        BankLayout("Internet Banking CSV",
                   titles: ["Transaction Date", "Transaction Type", "Transaction Description", "Debit Amount", "Credit Amount"],
                   columns: ["date": "Transaction Date", "description": "Transaction Description", "debit": "Debit Amount",
                             "credit": "Credit Amount", "account": "Account Number"],
                   options: ["date_format": "dd/mm/yyyy", "debit_means": "out"]),
        BankLayout("Commercial Banking Online Balances & Transactions CSV",
                   titles: ["Post Date", "Account Number", "Type", "Amount", "Transaction Detail"],
                   columns: ["date": "Post Date", "account": "Account Number", "amount": "Amount", "reference": "Customer Reference",
                             "description": "Transaction Detail"],
                   options: ["date_format": "dd/mm/yyyy"]),
    ] }
}

/// NatWest and Royal Bank of Scotland. Bankline's statement CSV is laid out
/// in The Access Group's import guide for it ("Format S (RBS/Natwest
/// BankLine)", help-coins.theaccessgroup.com): sort code, account number,
/// currency in the 5th field, the transaction date (DD/MM/YY) 10th, the
/// description 11th, the type 16th, debit 17th and credit 18th, under the
/// header `Sort Code,Account Number,…,Date,Narrative #1,…,Type,Debit,Credit`.
/// NatWest's online banking for smaller accounts writes `Date, Type,
/// Description, Value, Balance, Account Name, Account Number` with a signed
/// Value and dates like `15 Apr 2026`; NatWest does not publish it.
public enum NatWestPreset: BankPreset {
    public static let format = "bank-natwest"
    public static let bank = "NatWest or RBS"
    public static var layouts: [BankLayout] { [
        BankLayout("Bankline statement CSV",
                   titles: ["Sort Code", "Account Number", "Date", "Narrative #1", "Type", "Debit", "Credit"],
                   columns: ["date": "Date", "account": "Account Number", "description": "Narrative #1", "reference": "Narrative #2",
                             "debit": "Debit", "credit": "Credit", "currency": "Currency"],
                   options: ["date_format": "dd/mm/yyyy", "debit_means": "out"]),
        BankLayout("online banking CSV",
                   titles: ["Date", "Type", "Description", "Value", "Balance", "Account Number"],
                   columns: ["date": "Date", "description": "Description", "amount": "Value", "account": "Account Number"],
                   options: ["date_format": "d MMM yyyy"]),
    ] }
}

/// Barclays. Barclays.Net's "CSV Transactions" export is shown in iplicit's
/// import guide (docs.iplicit.com, "Barclays.Net statement file import"): a
/// title line, then `GROUP, ACC ID, ACCOUNT NO, TYPE, BANK CODE, CURR,
/// ENTRY DATE, AS AT, AMOUNT, TLA CODE, CHEQUE NO, STATUS, DESCRIPTION`,
/// dates dd/MM/yy, the amount signed. Online Banking's download, `Number,
/// Date, Account, Amount, Subcategory, Memo` (dd/mm/yyyy, signed), is not
/// published by Barclays; it is the layout its files carry.
public enum BarclaysPreset: BankPreset {
    public static let format = "bank-barclays"
    public static let bank = "Barclays"
    public static var layouts: [BankLayout] { [
        BankLayout("Barclays.Net CSV Transactions",
                   titles: ["ACCOUNT NO", "BANK CODE", "CURR", "ENTRY DATE", "AMOUNT", "DESCRIPTION"],
                   columns: ["date": "ENTRY DATE", "account": "ACCOUNT NO", "currency": "CURR", "amount": "AMOUNT",
                             "reference": "CHEQUE NO", "description": "DESCRIPTION"],
                   options: ["date_format": "dd/mm/yyyy"]),
        BankLayout("Online Banking CSV",
                   titles: ["Number", "Date", "Account", "Amount", "Subcategory", "Memo"],
                   columns: ["date": "Date", "account": "Account", "amount": "Amount", "description": "Memo"],
                   options: ["date_format": "dd/mm/yyyy"]),
    ] }
}

/// HSBC. HSBCnet's CSV is laid out in The Access Group's import guide
/// ("Format T (HSBCnet)", help-coins.theaccessgroup.com): no header row;
/// sort code and account number as one field (`123456-01234567`), the
/// transaction date, the currency, the amount (signed), the description and
/// the transaction type. HSBC does not publish its personal and Kinetic
/// exports' layout; those are not recognised here (read them as `csv`).
public enum HSBCPreset: BankPreset {
    public static let format = "bank-hsbc"
    public static let bank = "HSBC"
    public static var layouts: [BankLayout] { [
        BankLayout("HSBCnet CSV", titles: [],
                   columns: ["account": "1", "date": "2", "currency": "3", "amount": "4", "description": "5"],
                   options: ["date_format": "dd/mm/yyyy"],
                   firstRow: { row in
                       row.count >= 6 && row[0].count == 15 && row[0].utf8.enumerated().allSatisfy { i, b in
                           i == 6 ? b == UInt8(ascii: "-") : (b >= 48 && b <= 57)
                       }
                   }),
    ] }
}

/// Nationwide Building Society, both of its CSV exports: the statement CSV
/// (three title lines, `Account Name:`, `Account Balance:`, `Available
/// Balance:`, then `Date, Transaction type, Description, Paid out, Paid in,
/// Balance`, dates `07 Nov 2013`, amounts with £) and the midata CSV (`Date,
/// Type, Merchant/Description, Debit/Credit, Balance`, one signed amount
/// with £, dd/mm/yyyy). Nationwide does not publish either layout; they are
/// the ones its files carry (the corpus holds a statement CSV with its
/// header lines cut off, which the third layout reads: six fields, the
/// first a `07 Nov 2013` date, paid out and paid in empty or in pounds).
public enum NationwidePreset: BankPreset {
    public static let format = "bank-nationwide"
    public static let bank = "Nationwide"
    /// Empty, or an amount in pounds as Nationwide writes it (`£1,234.56`), read as every amount is read.
    static func poundsOrEmpty(_ field: String) -> Bool {
        field.isEmpty || (field.hasPrefix("£") && AmountParser(currency: .gbp).parse(Array(field.utf8)) != nil)
    }
    public static var layouts: [BankLayout] { [
        BankLayout("statement CSV",
                   titles: ["Date", "Transaction type", "Description", "Paid out", "Paid in"],
                   columns: ["date": "Date", "kind": "Transaction type", "description": "Description", "paid_out": "Paid out", "paid_in": "Paid in"],
                   options: ["date_format": "d MMM yyyy"]),
        BankLayout("midata CSV",
                   titles: ["Date", "Type", "Merchant/Description", "Debit/Credit"],
                   columns: ["date": "Date", "kind": "Type", "description": "Merchant/Description", "amount": "Debit/Credit"],
                   options: ["date_format": "dd/mm/yyyy"]),
        BankLayout("statement CSV without its header lines", titles: [],
                   columns: ["date": "1", "kind": "2", "description": "3", "paid_out": "4", "paid_in": "5"],
                   options: ["date_format": "d MMM yyyy"],
                   firstRow: { row in
                       row.count == 6 && DateFormat.dayMonthNameYear.parse(Substring(row[0])) != nil
                           && poundsOrEmpty(row[3]) && poundsOrEmpty(row[4]) && row[3].isEmpty != row[4].isEmpty
                   }),
    ] }
}

/// Starling Bank's statement CSV: `Date, Counter Party, Reference, Type,
/// Amount (GBP), Balance (GBP)`, with `Spending Category` and `Notes` in
/// newer files; dd/mm/yyyy, the amount signed. Starling does not publish
/// the layout; it is the one its files carry.
public enum StarlingPreset: BankPreset {
    public static let format = "bank-starling"
    public static let bank = "Starling"
    public static var layouts: [BankLayout] { [
        BankLayout("statement CSV",
                   titles: ["Date", "Counter Party", "Reference", "Type", "Amount (GBP)"],
                   columns: ["date": "Date", "counterparty": "Counter Party", "reference": "Reference", "kind": "Type",
                             "amount": "Amount (GBP)"],
                   options: ["date_format": "dd/mm/yyyy"]),
    ] }
}

/// Monzo's CSV export: `Transaction ID, Date, Time, Type, Name, Emoji,
/// Category, Amount, Currency, Local amount, Local currency, Notes and
/// #tags, Address, Receipt, Description, …`, dd/mm/yyyy, the amount signed in
/// Currency; the transaction id is the native id. Monzo does not publish the
/// layout; it is the one its files carry.
public enum MonzoPreset: BankPreset {
    public static let format = "bank-monzo"
    public static let bank = "Monzo"
    public static var layouts: [BankLayout] { [
        BankLayout("CSV export",
                   titles: ["Transaction ID", "Date", "Type", "Name", "Amount", "Currency"],
                   columns: ["id": "Transaction ID", "date": "Date", "kind": "Type", "counterparty": "Name", "amount": "Amount",
                             "currency": "Currency", "description": "Description"],
                   options: ["date_format": "dd/mm/yyyy"]),
    ] }
}

/// The titles UK bank CSVs give their columns, for the banks whose layout
/// could not be found documented (CAF Bank, Unity Trust Bank, Santander):
/// a header row with a date, a description and either one signed amount,
/// paid in/out, or debit/credit, recognised by title (see `ColumnGuess`).
enum GenericBankLayouts {
    static func layouts(_ bank: String) -> [BankLayout] {
        [
            BankLayout("\(bank) CSV with Paid in and Paid out", titles: ["Date", "Description", "Paid in", "Paid out"],
                       columns: ["date": "Date", "description": "Description", "paid_in": "Paid in", "paid_out": "Paid out"],
                       options: ["date_format": "dd/mm/yyyy"]),
            BankLayout("\(bank) CSV with Debit and Credit", titles: ["Date", "Description", "Debit", "Credit"],
                       columns: ["date": "Date", "description": "Description", "debit": "Debit", "credit": "Credit"],
                       options: ["date_format": "dd/mm/yyyy", "debit_means": "out"]),
            BankLayout("\(bank) CSV with a signed Amount", titles: ["Date", "Description", "Amount"],
                       columns: ["date": "Date", "description": "Description", "amount": "Amount"],
                       options: ["date_format": "dd/mm/yyyy"]),
        ]
    }
}

/// CAF Bank (Charities Aid Foundation). No documentation of CAF Online's
/// CSV export could be found, so this preset reads what UK bank CSVs have in
/// common, by column title (`Date`, `Description`, and `Paid in`/`Paid out`,
/// `Debit`/`Credit` or a signed `Amount`; dd/mm/yyyy), and never claims a
/// file by itself.
public enum CAFPreset: BankPreset {
    public static let format = "bank-caf"
    public static let bank = "CAF Bank"
    public static var layouts: [BankLayout] { GenericBankLayouts.layouts(bank) }
    public static var claimsByContent: Bool { false }
}

/// Unity Trust Bank. No documentation of its internet banking CSV export
/// could be found, so this preset reads the common UK bank columns by title,
/// as `bank-caf` does, and never claims a file by itself.
public enum UnityPreset: BankPreset {
    public static let format = "bank-unity"
    public static let bank = "Unity Trust Bank"
    public static var layouts: [BankLayout] { GenericBankLayouts.layouts(bank) }
    public static var claimsByContent: Bool { false }
}

/// Santander. Santander Connect's exports are laid out by each customer
/// ("Create Customised Data Export", santander.co.uk corporate Connect help
/// centre: fields, order, separator and the sign of debits are chosen), so
/// there is no one layout to recognise; this preset reads the common UK bank
/// columns by title, as `bank-caf` does, and never claims a file by itself.
public enum SantanderPreset: BankPreset {
    public static let format = "bank-santander"
    public static let bank = "Santander"
    public static var layouts: [BankLayout] { GenericBankLayouts.layouts(bank) }
    public static var claimsByContent: Bool { false }
}

/// FreeAgent's bank statement CSV, as FreeAgent documents it for uploads
/// ("Format a CSV file to upload a bank statement", support.freeagent.com,
/// article 115001222564): no header row, three columns, the date as
/// dd/mm/yyyy, one amount (money out with a minus sign), the description.
/// FreeAgent's own account transactions export could not be found
/// documented, and is not recognised here (read it as `csv`).
public enum FreeAgentPreset: BankPreset {
    public static let format = "freeagent"
    public static let bank = "FreeAgent"
    public static var layouts: [BankLayout] { [
        BankLayout("bank statement CSV (date, amount, description)", titles: [],
                   columns: ["date": "1", "amount": "2", "description": "3"],
                   options: ["date_format": "dd/mm/yyyy"],
                   firstRow: { row in
                       row.count == 3 && DateFormat.dayMonthYear.parse(Substring(row[0])) != nil
                           && AmountParser(digits: 2).parse(row[1]) != nil && !row[1].contains(",")
                   }),
    ] }
}

/// The bank presets, registered with the other formats.
nonisolated(unsafe) let bankReaders: [any SourceReader.Type] = [
    BankCSVReader<LloydsPreset>.self,
    BankCSVReader<NatWestPreset>.self,
    BankCSVReader<BarclaysPreset>.self,
    BankCSVReader<HSBCPreset>.self,
    BankCSVReader<SantanderPreset>.self,
    BankCSVReader<NationwidePreset>.self,
    BankCSVReader<StarlingPreset>.self,
    BankCSVReader<MonzoPreset>.self,
    BankCSVReader<CAFPreset>.self,
    BankCSVReader<UnityPreset>.self,
    BankCSVReader<FreeAgentPreset>.self,
]
