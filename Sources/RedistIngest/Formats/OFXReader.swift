import RedistModel

/// An OFX bank or credit-card statement download (`.ofx`, `.qfx`): OFX 1.x
/// (SGML, read by `OFXTokenizer`) and OFX 2.x (XML, read by libxml2 through
/// `XMLStream`), told apart by the file's first bytes (`<?xml` is 2.x).
///
/// Each `<STMTTRN>` of a bank (`STMTRS`) or credit-card (`CCSTMTRS`)
/// statement becomes a movement: `TRNAMT` signed as it stands (positive is
/// money in), in the transaction's `CURRENCY/CURSYM` when it has one, else the
/// statement's `CURDEF`, dated by `DTPOSTED` (else `DTUSER`; the date as the
/// bank wrote it, `20230105120000.000[-5:EST]` is 2023-01-05), with `FITID`
/// as native id, `NAME` (or `PAYEE/NAME`) as counterparty, `MEMO` as
/// description (`NAME` when there is no memo), `REFNUM` (else a non-zero
/// `CHECKNUM`) as reference, `TRNTYPE` as kind, the `BANKACCTTO`/`CCACCTTO`
/// account as counterparty id and the statement's `ACCTID` as account (with
/// `BANKID` and `BRANCHID`, the sort code, as account name). Several
/// statements in one file are read in turn.
///
/// `LEDGERBAL` becomes the statement's closing balance record (loaded with
/// amount 0, so control totals count each transaction once). OFX carries no
/// opening balance, so the check camt.053 makes within a statement is made
/// between statements: when a file holds consecutive statements of one
/// account, each closing balance must equal the one before plus its
/// transactions (check `bank.balance`: an error when it fails, a note when it
/// holds); a statement with no readable `LEDGERBAL` is a warning.
/// Investment statements (`INVSTMTRS`) are refused with the reason: they
/// hold holdings and trades, not bank movements.
public struct OFXReader: SourceReader {
    public static let format = "ofx"
    public static let roles: [SourceRole] = [.bank, .ledger]
    public static let columnKeys: [String] = []
    public static let optionKeys: [String] = ["currency"]

    let configuration: ReaderConfiguration
    let currency: Currency

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        currency = try configuration.fileCurrency()
    }

    /// An OFX header (`OFXHEADER:`, `<?OFX`) or an `<OFX>` element near the start.
    public static func claims(_ head: FileHead) -> Bool {
        let text = head.text.uppercased()
        return text.hasPrefix("OFXHEADER") || text.contains("<?OFX ") || text.contains("\nOFXHEADER:")
            || (head.firstTag?.uppercased() == "OFX")
    }

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let statements = OFXStatements(sink: sink, file: displayPath, defaultCurrency: currency)
        if try Self.isXML(path) {
            let stream = try XMLStream(path: path, displayPath: displayPath)
            let handler = OFXXMLHandler(statements)
            try stream.run(handler)
            for warning in stream.warnings { sink.report(warning) }
        } else {
            try OFXTokenizer(displayPath: displayPath).run(path: path, statements)
        }
        try statements.finish()
    }

    /// OFX 2 starts with an XML declaration (after a byte-order mark or white space).
    static func isXML(_ path: String) throws -> Bool {
        let head = FileHead(path: path, limit: 512)
        return head.text.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" }).hasPrefix("<?xml")
    }
}

/// Hands libxml2's events to `OFXStatements`: every element opens, an
/// element with no child element is a leaf with its text, the others close.
final class OFXXMLHandler: XMLStreamHandler {
    private let events: OFXEvents
    /// The depth of the last element started: when it ends at that depth it had no child, so it is a leaf.
    private var leafDepth = -1

    init(_ events: OFXEvents) { self.events = events }

    override func startElement(_ s: XMLStream, _ tag: XMLStartTag) {
        let name = String(cString: tag.name).uppercased()
        if s.depth == 1 && name != "OFX" {
            s.fail("the root element is <\(String(cString: tag.name))> (expected <OFX> of an OFX 2 statement)")
            return
        }
        leafDepth = s.depth
        s.beginText()
        events.open(name, s.location())
    }

    override func endElement(_ s: XMLStream, _ name: XMLName) {
        let upper = String(cString: name).uppercased()
        if s.depth == leafDepth {
            events.leaf(upper, s.text, s.location())
            s.endText()
        } else {
            events.close(upper, s.location())
        }
        leafDepth = -1
    }
}

/// A value an OFX statement holds that cannot be used, in words.
struct OFXProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The statements of one OFX file, built from its events and checked.
final class OFXStatements: OFXEvents {
    private let sink: RecordSink
    private let file: String
    private let defaultCurrency: Currency
    private var rounded = 0

    /// The open aggregates this reader knows, innermost last.
    private var context: [String] = []

    private struct Statement {
        var location: SourceLocation
        var kind: String
        var currency = ""
        var account = "", bankId = "", branchId = ""
        var start = "", end = ""
        var balanceText = "", balanceDate = "", balanceLocation: SourceLocation? = nil
        var totals: [String: Int64] = [:]
        var overflowed = false
        var unread = 0
        var transactions = 0
    }
    private struct Transaction {
        var location: SourceLocation
        var type = "", posted = "", user = "", amount = "", amountLocation: SourceLocation? = nil
        var fitid = "", refnum = "", checknum = "", name = "", payee = "", memo = "", currency = ""
        var accountTo = ""
        var dateLocation: SourceLocation? = nil
    }
    private var statement: Statement? = nil
    private var transaction: Transaction? = nil
    /// The last closing balance read per account and currency, for the next statement's check.
    private var lastClosing: [String: (money: Money, date: Day, name: String)] = [:]
    private var bankStatements = 0
    private var investment: SourceLocation? = nil

    private static let known: Set<String> = [
        "STMTRS", "CCSTMTRS", "INVSTMTRS", "STMTTRN", "LEDGERBAL", "AVAILBAL", "BANKACCTFROM", "CCACCTFROM",
        "BANKACCTTO", "CCACCTTO", "PAYEE", "CURRENCY", "ORIGCURRENCY", "BANKTRANLIST", "STMTTRNRS", "CCSTMTTRNRS",
    ]

    init(sink: RecordSink, file: String, defaultCurrency: Currency) {
        self.sink = sink
        self.file = file
        self.defaultCurrency = defaultCurrency
    }

    func open(_ name: String, _ location: SourceLocation) {
        guard Self.known.contains(name) else { return }
        context.append(name)
        switch name {
        case "STMTRS", "CCSTMTRS":
            statement = Statement(location: location, kind: name)
        case "INVSTMTRS":
            if investment == nil { investment = location }
        case "STMTTRN":
            if statement != nil { transaction = Transaction(location: location) }
        default: break
        }
    }

    func close(_ name: String, _ location: SourceLocation) {
        guard let k = context.lastIndex(of: name) else { return }
        while context.count > k {
            let top = context.removeLast()
            if top == "STMTTRN", let t = transaction {
                transaction = nil
                finishTransaction(t)
            } else if top == "STMTRS" || top == "CCSTMTRS", let s = statement {
                statement = nil
                finishStatement(s, location)
            }
        }
    }

    func leaf(_ name: String, _ value: String, _ location: SourceLocation) {
        let inner = context.last ?? ""
        if transaction != nil {
            switch (inner, name) {
            case ("STMTTRN", "TRNTYPE"): transaction!.type = value
            case ("STMTTRN", "DTPOSTED"): transaction!.posted = value; transaction!.dateLocation = location
            case ("STMTTRN", "DTUSER"): transaction!.user = value; if transaction!.dateLocation == nil { transaction!.dateLocation = location }
            case ("STMTTRN", "TRNAMT"): transaction!.amount = value; transaction!.amountLocation = location
            case ("STMTTRN", "FITID"): transaction!.fitid = value
            case ("STMTTRN", "REFNUM"): transaction!.refnum = value
            case ("STMTTRN", "CHECKNUM"): transaction!.checknum = value
            case ("STMTTRN", "NAME"): transaction!.name = value
            case ("STMTTRN", "MEMO"): transaction!.memo = value
            case ("PAYEE", "NAME"): transaction!.payee = value
            case ("CURRENCY", "CURSYM"): transaction!.currency = value
            case ("BANKACCTTO", "ACCTID"), ("CCACCTTO", "ACCTID"): transaction!.accountTo = value
            default: break
            }
            return
        }
        guard statement != nil else { return }
        switch (inner, name) {
        case (_, "CURDEF") where inner == statement!.kind: statement!.currency = value
        case ("BANKACCTFROM", "ACCTID"), ("CCACCTFROM", "ACCTID"): statement!.account = value
        case ("BANKACCTFROM", "BANKID"): statement!.bankId = value
        case ("BANKACCTFROM", "BRANCHID"): statement!.branchId = value
        case ("BANKTRANLIST", "DTSTART"): statement!.start = value
        case ("BANKTRANLIST", "DTEND"): statement!.end = value
        case ("LEDGERBAL", "BALAMT"): statement!.balanceText = value; statement!.balanceLocation = location
        case ("LEDGERBAL", "DTASOF"): statement!.balanceDate = value
        default: break
        }
    }

    /// `20230105`, `20230105120000`, `20230105120000.000[-5:EST]`: the first eight digits, as the bank wrote them.
    static func day(_ text: String) -> Day? {
        let b = Array(text.utf8)
        guard b.count >= 8, b[..<8].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if b.count > 8 {
            // A time, fractions and a zone may follow; nothing else.
            guard b[8...].allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 0x2E || $0 == 0x5B || $0 == 0x5D || $0 == 0x3A
                || $0 == 0x2D || $0 == 0x2B || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x20 }) else { return nil }
        }
        func n(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(b[$1] - 48) } }
        return Day(year: n(0..<4), month: n(4..<6), day: n(6..<8))
    }

    static let dateExpectation = "expected an OFX date such as 20230105 or 20230105120000.000[-5:EST]"

    /// An amount in `currency`: `-12.50`, `+100.00`, and the decimal comma OFX also allows (`-12,50`).
    private func amount(_ text: String, _ currency: Currency) -> Result<Int64, OFXProblem> {
        let comma = text.contains(",") && !text.contains(".")
        let parser = AmountParser(currency: currency, decimalComma: comma, rounding: false)
        switch parser.read(text) {
        case .amount(let v): return .success(v)
        case let reading:
            return .failure(OFXProblem(parser.problem(reading, text: text, currency: currency.code)
                            ?? "\"\(text)\" is not an amount (expected a signed amount such as -12.50)"))
        }
    }

    private func currency(of s: Statement, override: String = "") -> Result<Currency, OFXProblem> {
        let code = override.isEmpty ? s.currency : override
        if code.isEmpty { return .success(defaultCurrency) }
        guard let c = Currency(code: code) else {
            return .failure(OFXProblem("\"\(code)\" is not a currency (expected an ISO 4217 code such as GBP in <CURDEF>)"))
        }
        return .success(c)
    }

    private func finishTransaction(_ t: Transaction) {
        guard statement != nil else { return }
        statement!.transactions += 1
        let currency: Currency
        switch self.currency(of: statement!, override: t.currency) {
        case .success(let c): currency = c
        case .failure(let problem):
            statement!.unread += 1
            sink.reject(t.location, check: .rejectCurrency, problem.message)
            return
        }
        guard !t.amount.isEmpty, let amountAt = t.amountLocation else {
            statement!.unread += 1
            sink.reject(t.location, check: .rejectAmount, "the transaction has no amount (expected <TRNAMT>-12.50)")
            return
        }
        let units: Int64
        switch amount(t.amount, currency) {
        case .success(let v): units = v
        case .failure(let problem):
            statement!.unread += 1
            sink.reject(amountAt, check: .rejectAmount, problem.message)
            return
        }
        let money = Money(minorUnits: units, currency: currency)
        let dateText = t.posted.isEmpty ? t.user : t.posted
        guard let day = Self.day(dateText) else {
            statement!.unread += 1
            let what = dateText.isEmpty ? "the transaction has no date (<DTPOSTED>)" : "\"\(dateText)\" is not a date"
            sink.reject(t.dateLocation ?? t.location, check: .rejectDate, "\(what) (\(Self.dateExpectation))", amount: money)
            return
        }
        let (total, overflow) = statement!.totals[currency.code, default: 0].addingReportingOverflow(units)
        statement!.totals[currency.code] = total
        if overflow { statement!.overflowed = true }
        let counterparty = t.payee.isEmpty ? t.name : t.payee
        let reference = !t.refnum.isEmpty ? t.refnum : (t.checknum.isEmpty || t.checknum.allSatisfy { $0 == "0" }) ? "" : t.checknum
        let s = statement!
        let movement = Movement(
            date: day, amount: money, account: s.account, accountName: [s.bankId, s.branchId].filter { !$0.isEmpty }.joined(separator: " "),
            counterparty: counterparty, counterpartyId: t.accountTo, description: t.memo.isEmpty ? t.name : t.memo,
            reference: reference, nativeId: t.fitid, kind: t.type, location: t.location)
        sink.load(.movement(movement), amount: units)
    }

    private func finishStatement(_ s: Statement, _ end: SourceLocation) {
        bankStatements += 1
        let name = "the statement of account \(s.account.isEmpty ? "(no ACCTID)" : s.account)"
            + (s.end.isEmpty ? "" : " to \(Self.day(s.end).map(\.description) ?? s.end)")
        guard let at = s.balanceLocation else {
            sink.report(Diagnostic(.warning, end, check: .bankBalance, "\(name): balance not checked: no <LEDGERBAL> closing balance"))
            return
        }
        guard case .success(let currency) = self.currency(of: s) else {
            sink.report(Diagnostic(.warning, at, check: .bankBalance, "\(name): balance not checked: <CURDEF> is not a currency"))
            return
        }
        let units: Int64
        switch amount(s.balanceText, currency) {
        case .success(let v): units = v
        case .failure(let problem):
            sink.reject(at, check: .rejectAmount, "closing balance (LEDGERBAL): \(problem.message)")
            return
        }
        guard let day = Self.day(s.balanceDate) ?? Self.day(s.end) else {
            sink.reject(at, check: .rejectDate,
                        "closing balance (LEDGERBAL): \(s.balanceDate.isEmpty ? "no <DTASOF>" : "\"\(s.balanceDate)\" is not a date") (\(Self.dateExpectation))")
            return
        }
        let closing = Money(minorUnits: units, currency: currency)
        sink.load(.balance(StatementBalance(kind: .closing, date: day, amount: closing, account: s.account,
                                            statementId: s.end, location: at)), amount: 0)
        let key = s.account + " " + currency.code
        defer { lastClosing[key] = (closing, day, name) }
        guard let previous = lastClosing[key], previous.date <= day else {
            sink.report(Diagnostic(.note, at, check: .bankBalance,
                                   "\(name): closing balance \(closing) on \(day); OFX gives no opening balance, so the transactions are checked only against an earlier statement of the account in the same file"))
            return
        }
        let others = s.totals.keys.filter { $0 != currency.code }.sorted()
        if !others.isEmpty {
            sink.report(Diagnostic(.warning, at, check: .bankBalance,
                                   "\(name): balance not checked: the statement is in \(currency.code) but also has \(others.joined(separator: ", ")) amounts"))
            return
        }
        if s.unread > 0 {
            sink.report(Diagnostic(.warning, at, check: .bankBalance,
                                   "\(name): balance not checked: \(s.unread) transaction\(s.unread == 1 ? "" : "s") could not be read"))
            return
        }
        let booked = s.totals[currency.code] ?? 0
        let (sum, o1) = previous.money.minorUnits.addingReportingOverflow(booked)
        if s.overflowed || o1 {
            sink.report(Diagnostic(.error, at, check: .bankBalance,
                                   "\(name): the balance cannot be checked: the amounts add up to more than redist can count (expected the amounts of a real statement)"))
            return
        }
        let expected = Money(minorUnits: sum, currency: currency)
        let bookedText = Money(minorUnits: booked, currency: currency).decimalString
        if expected == closing {
            sink.report(Diagnostic(.note, at, check: .bankBalance,
                                   "\(name): closing balance \(closing) = the previous statement's \(previous.money) + transactions \(bookedText)"))
        } else {
            let difference = Money(minorUnits: units &- sum, currency: currency)
            sink.report(Diagnostic(.error, at, check: .bankBalance,
                                   "\(name): closing balance \(closing) does not equal the previous statement's closing balance \(previous.money) + transactions \(bookedText) = \(expected) (difference \(difference.decimalString))",
                                   amount: difference))
        }
    }

    /// After the last event: a file of investment statements only is refused with the reason.
    func finish() throws {
        if let investment, bankStatements == 0 {
            throw FileFailure(investment, "an investment statement (<INVSTMTRS>): it lists holdings and trades, not money in and out of a bank account, so redist does not read it (expected a bank <STMTRS> or credit-card <CCSTMTRS> statement)")
        }
        if let investment {
            sink.report(Diagnostic(.warning, investment, check: .ofxInvestment,
                                   "an investment statement (<INVSTMTRS>) is not read: only the bank and credit-card statements of this file are"))
        }
        if bankStatements == 0 {
            throw FileFailure(SourceLocation(file: file, line: 1), "the file has no bank or credit-card statement (expected <STMTRS> or <CCSTMTRS> inside <OFX>)")
        }
        sink.noteRoundedValues(rounded, file: file)
    }
}
