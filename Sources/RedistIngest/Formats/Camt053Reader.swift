import RedistModel

/// An ISO 20022 camt.053 bank-to-customer statement (versions .001.02 to
/// .001.08; later ones read the same way), one or more `<Stmt>` per file.
///
/// Each booked `<Ntry>` becomes a movement: its `Amt` and `@Ccy`, positive
/// for `CRDT` and negative for `DBIT`, dated by its booking date (`Dt`, or
/// the date of `DtTm`; the value date when there is none), with the bank
/// transaction code (`PMNT-RCDT-ESCT`, else the proprietary code) as kind,
/// the account servicer's reference (else the entry reference) as reference
/// and native id (the end-to-end id instead as reference, when the entry
/// carries exactly one: the payer's own reference, which the ledger quotes),
/// the related party as counterparty (the debtor of a credit,
/// the creditor of a debit; `Dbtr/Nm` and `Dbtr/Pty/Nm` alike; a batch's
/// distinct names joined by `; `) and its IBAN (or other id) as
/// counterparty id, the unstructured remittance lines as description, and
/// the statement's account IBAN (or `Othr/Id`) as account. The status may be
/// `<Sts>BOOK</Sts>` or `<Sts><Cd>BOOK</Cd></Sts>`; pending and information
/// entries are skipped and counted.
///
/// Opening (`OPBD`, else `PRCD`) and closing (`CLBD`) balances become
/// balance records (loaded with amount 0, so control totals count each
/// entry once), and each statement is checked: closing = opening + booked
/// entries, reported as check `bank.balance` (an error when it fails, a note
/// when it holds, a warning when it cannot be made).
public struct Camt053Reader: SourceReader {
    public static let format = "camt053"
    public static let roles: [SourceRole] = [.bank]
    public static let columnKeys: [String] = []
    public static let optionKeys: [String] = []

    let configuration: ReaderConfiguration

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
    }

    /// A `<Document>` in a camt.053 namespace.
    public static func claims(_ head: FileHead) -> Bool {
        head.firstTag == "Document" && head.text.contains("camt.053")
    }

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let stream = try XMLStream(path: path, displayPath: displayPath)
        let handler = Camt053Handler(stream, sink: sink)
        try stream.run(handler)
        for warning in stream.warnings { sink.report(warning) }
        sink.noteRoundedValues(handler.rounded, file: displayPath)
    }
}

/// A field's collapsed text, or an element path, as a byte range in its
/// entry's `bytes`.
typealias Camt053Text = XMLByteRange

/// One camt.053 entry while it is read: its fields, collapsed, and its
/// element path are laid out in `bytes`, so reading one makes no `String`:
/// only the fields a movement keeps become one. Lists (the parties' names
/// and accounts, the remittance lines, the end-to-end ids) hold each
/// distinct text once, in the order met.
struct Camt053ReadEntry {
    enum List: Int, CaseIterable {
        case debtorNames, creditorNames, debtorAccounts, creditorAccounts, remittance, endToEndIds
    }
    var bytes: [UInt8] = []
    var amount = Camt053Text(), currency = Camt053Text(), creditDebit = Camt053Text(), status = Camt053Text()
    var bookingDate = Camt053Text(), valueDate = Camt053Text(), accountServicerRef = Camt053Text(), entryRef = Camt053Text()
    var domain = Camt053Text(), family = Camt053Text(), subFamily = Camt053Text(), proprietaryCode = Camt053Text()
    var additionalEntryInfo = Camt053Text(), additionalTxInfo = Camt053Text()
    /// The lists' texts, by `List`.
    var lists: [[Camt053Text]] = Array(repeating: [], count: List.allCases.count)
    var line = 0
    var path = Camt053Text()
    /// The line of the entry's `<Amt>`, 0 when absent.
    var amountLine = 0

    /// Empties the entry for the next one, keeping its room.
    mutating func reset(line: Int, path rawPath: UnsafeBufferPointer<UInt8>) {
        bytes.removeAll(keepingCapacity: true)
        for k in lists.indices { lists[k].removeAll(keepingCapacity: true) }
        amount = Camt053Text(); currency = Camt053Text(); creditDebit = Camt053Text(); status = Camt053Text()
        bookingDate = Camt053Text(); valueDate = Camt053Text(); accountServicerRef = Camt053Text(); entryRef = Camt053Text()
        domain = Camt053Text(); family = Camt053Text(); subFamily = Camt053Text(); proprietaryCode = Camt053Text()
        additionalEntryInfo = Camt053Text(); additionalTxInfo = Camt053Text()
        self.line = line
        amountLine = 0
        let start = bytes.count
        bytes.append(contentsOf: rawPath)
        path = Camt053Text(start: start, end: bytes.count)
    }

    /// Lays out text as `XMLText.collapsed` reads it.
    mutating func lay(_ raw: UnsafeBufferPointer<UInt8>) -> Camt053Text {
        let start = bytes.count
        XMLText.appendCollapsed(raw, to: &bytes)
        return Camt053Text(start: start, end: bytes.count)
    }

    /// Lays out text and adds it to `list` unless it is empty or already there
    /// (compared as `String`s are, so one name spelt in two Unicode forms counts once).
    /// With `unlessNotProvided`, `NOTPROVIDED` (in any case: the placeholder
    /// for an end-to-end id the payer did not give) is not added either.
    mutating func add(_ raw: UnsafeBufferPointer<UInt8>, to list: List, unlessNotProvided: Bool = false) {
        let mark = bytes.count
        let t = lay(raw)
        if t.isEmpty || (unlessNotProvided && t.end - t.start == 11 && string(t).uppercased() == "NOTPROVIDED")
            || lists[list.rawValue].contains(where: { same($0, t) }) {
            bytes.removeSubrange(mark...)
            return
        }
        lists[list.rawValue].append(t)
    }

    subscript(_ list: List) -> [Camt053Text] { lists[list.rawValue] }

    /// Lays out an attribute's value as `XMLStartTag.attribute` reads it.
    mutating func layAttribute(_ raw: UnsafeBufferPointer<UInt8>) -> Camt053Text {
        let start = bytes.count
        XMLText.appendAttributeValue(raw, to: &bytes)
        return Camt053Text(start: start, end: bytes.count)
    }

    func same(_ a: Camt053Text, _ b: Camt053Text) -> Bool {
        bytes.withUnsafeBufferPointer { p in
            let x = UnsafeBufferPointer(rebasing: p[a.start..<a.end]), y = UnsafeBufferPointer(rebasing: p[b.start..<b.end])
            if x.elementsEqual(y) { return true }
            // Bytes that differ are the same text only in two Unicode forms.
            guard x.contains(where: { $0 >= 0x80 }) || y.contains(where: { $0 >= 0x80 }) else { return false }
            return String(decoding: x, as: UTF8.self) == String(decoding: y, as: UTF8.self)
        }
    }

    func string(_ t: Camt053Text) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[t.start..<t.end]), as: UTF8.self) }
    }

    func withBytes<R>(_ t: Camt053Text, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[t.start..<t.end])) }
    }

    /// Whether the text is exactly `ascii`'s bytes.
    func `is`(_ t: Camt053Text, _ ascii: StaticString) -> Bool {
        withBytes(t) { $0.elementsEqual(UnsafeBufferPointer(start: ascii.utf8Start, count: ascii.utf8CodeUnitCount)) }
    }

    /// The text upper-cased, as `String.uppercased()` makes it.
    func upper(_ t: Camt053Text) -> String { string(t).uppercased() }

    /// `a`, else `b` when `a` is empty.
    func either(_ a: Camt053Text, _ b: Camt053Text) -> Camt053Text { a.isEmpty ? b : a }

    func joined(_ list: [Camt053Text], separator: String) -> String {
        if list.count == 1 { return string(list[0]) }
        return list.map { string($0) }.joined(separator: separator)
    }
}

/// One camt.053 balance as read.
struct Camt053Balance: Sendable, Equatable {
    var code = ""
    var amountText = ""
    var currency = ""
    var creditDebit = ""
    var date = ""
    /// False until its `<Amt>` starts.
    var hasAmount = false
    var location: SourceLocation
}

/// The SAX state machine for camt.053 statements.
final class Camt053Handler: XMLStreamHandler {
    /// Values with more decimals than their currency, rounded: the file's findings say how many.
    var rounded = 0
    private let sink: RecordSink
    private let file: String

    private let nDocument, nBkToCstmrStmt, nStmt, nId, nAcct, nIBAN, nOthr, nNm, nBal, nCdOrPrtry, nCd: XMLName
    private let nPrtry, nAmt, nCdtDbtInd, nDt, nDtTm, nNtry, nNtryRef, nSts, nBookgDt, nValDt, nAcctSvcrRef: XMLName
    private let nBkTxCd, nDomn, nFmly, nSubFmlyCd, nTxDtls, nRltdPties, nDbtr, nCdtr, nPty, nDbtrAcct: XMLName
    private let nCdtrAcct, nRmtInf, nUstrd, nAddtlNtryInf, nAddtlTxInf, nTp, nGrpHdr, nCreDtTm, nFrToDt: XMLName
    private let nToDtTm, aCcy, nRefs, nEndToEndId: XMLName

    // Statement state.
    private var stmtDepth = 0
    private var statementId = ""
    private var account = ""
    private var accountOther = ""
    private var accountName = ""
    /// The booked entries' total per currency code, in the order met (a
    /// statement has one or two, so a look along the list beats hashing).
    private var bookedTotals: [(code: String, total: Int64)] = []
    /// Set when the booked entries' total passed what 64 bits hold (damaged or hostile input).
    private var bookedOverflowed = false
    private var unreadEntries = 0
    private var statementEnd = ""
    private var statementCreated = ""
    private var messageCreated = ""
    private var undatedEntries = 0
    private var undatedAs: (Day, String)?
    private(set) var statementCount = 0

    private var balDepth = 0
    private var balance: Camt053Balance?
    private var entryDepth = 0
    /// The entry being read (while `entryDepth` > 0), behind one pointer so
    /// that it is filled in place and emptied for the next, keeping its room.
    private let reading: UnsafeMutablePointer<Camt053ReadEntry> = {
        let p = UnsafeMutablePointer<Camt053ReadEntry>.allocate(capacity: 1)
        p.initialize(to: Camt053ReadEntry())
        return p
    }()
    private var txDepth = 0

    private enum Field {
        case statementId, account, accountOther, accountName, statementEnd, statementCreated, messageCreated
        case balCode, balAmount, balCreditDebit, balDate
        case amount, creditDebit, status, bookingDate, valueDate, servicerRef, entryRef
        case domain, family, subFamily, proprietary, debtorName, creditorName, debtorAccount, creditorAccount
        case remittance, addtlEntry, addtlTx, endToEndId
    }
    private var field: Field?
    private var fieldDepth = 0

    init(_ s: XMLStream, sink: RecordSink) {
        self.sink = sink
        file = s.displayPath
        nDocument = s.intern("Document"); nBkToCstmrStmt = s.intern("BkToCstmrStmt"); nStmt = s.intern("Stmt")
        nId = s.intern("Id"); nAcct = s.intern("Acct"); nIBAN = s.intern("IBAN"); nOthr = s.intern("Othr")
        nNm = s.intern("Nm"); nBal = s.intern("Bal"); nCdOrPrtry = s.intern("CdOrPrtry"); nCd = s.intern("Cd")
        nPrtry = s.intern("Prtry"); nAmt = s.intern("Amt"); nCdtDbtInd = s.intern("CdtDbtInd"); nDt = s.intern("Dt")
        nDtTm = s.intern("DtTm"); nNtry = s.intern("Ntry"); nNtryRef = s.intern("NtryRef"); nSts = s.intern("Sts")
        nBookgDt = s.intern("BookgDt"); nValDt = s.intern("ValDt"); nAcctSvcrRef = s.intern("AcctSvcrRef")
        nBkTxCd = s.intern("BkTxCd"); nDomn = s.intern("Domn"); nFmly = s.intern("Fmly"); nSubFmlyCd = s.intern("SubFmlyCd")
        nTxDtls = s.intern("TxDtls"); nRltdPties = s.intern("RltdPties"); nDbtr = s.intern("Dbtr"); nCdtr = s.intern("Cdtr")
        nPty = s.intern("Pty"); nDbtrAcct = s.intern("DbtrAcct"); nCdtrAcct = s.intern("CdtrAcct")
        nRmtInf = s.intern("RmtInf"); nUstrd = s.intern("Ustrd"); nAddtlNtryInf = s.intern("AddtlNtryInf")
        nAddtlTxInf = s.intern("AddtlTxInf"); nTp = s.intern("Tp"); aCcy = s.intern("Ccy")
        nRefs = s.intern("Refs"); nEndToEndId = s.intern("EndToEndId")
        nGrpHdr = s.intern("GrpHdr"); nCreDtTm = s.intern("CreDtTm"); nFrToDt = s.intern("FrToDt"); nToDtTm = s.intern("ToDtTm")
        s.alwaysIndex(nStmt, nNtry)
    }

    deinit {
        reading.deinitialize(count: 1)
        reading.deallocate()
    }

    private func begin(_ f: Field, _ s: XMLStream) {
        field = f
        fieldDepth = s.depth
        s.beginText()
    }

    /// The name `k` levels above the current element.
    @inline(__always) private func up(_ s: XMLStream, _ k: Int) -> XMLName? { s.name(atDepth: s.depth - k) }

    override func startElement(_ s: XMLStream, _ tag: XMLStartTag) {
        let d = s.depth
        let name = tag.name
        if d == 1 {
            if name != nDocument {
                s.fail("not an ISO 20022 message: the root element is <\(String(cString: name))> (expected <Document> of a camt.053 statement)")
            }
            return
        }
        if d == 2 {
            if name != nBkToCstmrStmt {
                let shown = String(cString: name)
                let kind = shown == "BkToCstmrAcctRpt" ? " (a camt.052 account report)"
                    : shown == "BkToCstmrDbtCdtNtfctn" ? " (a camt.054 notification)" : ""
                s.fail("the message is <\(shown)>\(kind), not a camt.053 statement (expected <BkToCstmrStmt>)")
            }
            return
        }
        if stmtDepth == 0 {
            if name == nStmt && d == 3 {
                stmtDepth = d
                statementId = ""; account = ""; accountOther = ""; accountName = ""
                parsedBalances = []; bookedTotals = []; bookedOverflowed = false; unreadEntries = 0
                statementEnd = ""; statementCreated = ""; undatedEntries = 0; undatedAs = nil
            } else if name == nCreDtTm && d == 4 && up(s, 1) == nGrpHdr {
                begin(.messageCreated, s)
            }
            return
        }
        let st = stmtDepth
        if entryDepth > 0 {
            startInEntry(s, tag, d)
            return
        }
        if balDepth > 0 {
            let b = balDepth
            if d == b + 1 && name == nAmt {
                balance?.currency = tag.attribute(aCcy) ?? ""
                balance?.hasAmount = true
                begin(.balAmount, s)
            } else if d == b + 1 && name == nCdtDbtInd {
                begin(.balCreditDebit, s)
            } else if d == b + 2 && (name == nDt || name == nDtTm) && up(s, 1) == nDt {
                begin(.balDate, s)
            } else if d == b + 3 && (name == nCd || name == nPrtry) && up(s, 1) == nCdOrPrtry && up(s, 2) == nTp {
                if balance?.code.isEmpty ?? false { begin(.balCode, s) }
            }
            return
        }
        if d == st + 1 {
            if name == nId { begin(.statementId, s) }
            else if name == nCreDtTm { begin(.statementCreated, s) }
            else if name == nBal { balDepth = d; balance = Camt053Balance(location: s.location()) }
            else if name == nNtry { entryDepth = d; reading.pointee.reset(line: s.line, path: s.elementPathBytes()) }
        } else if d == st + 2 && name == nToDtTm && up(s, 1) == nFrToDt {
            begin(.statementEnd, s)
        } else if up(s, d - st - 1) == nAcct && d >= st + 2 {
            // Stmt/Acct/Id/IBAN, Stmt/Acct/Id/Othr/Id, Stmt/Acct/Nm
            if d == st + 3 && name == nIBAN && up(s, 1) == nId { begin(.account, s) }
            else if d == st + 4 && name == nId && up(s, 1) == nOthr && up(s, 2) == nId { begin(.accountOther, s) }
            else if d == st + 2 && name == nNm { begin(.accountName, s) }
        }
    }

    private func startInEntry(_ s: XMLStream, _ tag: XMLStartTag, _ d: Int) {
        let n = entryDepth
        let name = tag.name
        if d == n + 1 {
            if name == nAmt {
                let r = reading
                r.pointee.currency = tag.attributeBytes(aCcy).map { r.pointee.layAttribute($0) } ?? Camt053Text()
                r.pointee.amountLine = s.line
                begin(.amount, s)
            } else if name == nCdtDbtInd { begin(.creditDebit, s) }
            else if name == nSts { begin(.status, s) }
            else if name == nAcctSvcrRef { begin(.servicerRef, s) }
            else if name == nNtryRef { begin(.entryRef, s) }
            else if name == nAddtlNtryInf { begin(.addtlEntry, s) }
            return
        }
        if d == n + 2 && (name == nDt || name == nDtTm) {
            let parent = up(s, 1)
            if parent == nBookgDt { begin(.bookingDate, s) } else if parent == nValDt { begin(.valueDate, s) }
            return
        }
        if d > n + 2 && s.name(atDepth: n + 1) == nBkTxCd {
            if d == n + 3 && name == nCd && up(s, 1) == nDomn { begin(.domain, s) }
            else if d == n + 4 && name == nCd && up(s, 1) == nFmly { begin(.family, s) }
            else if d == n + 4 && name == nSubFmlyCd { begin(.subFamily, s) }
            else if d == n + 3 && name == nCd && up(s, 1) == nPrtry { begin(.proprietary, s) }
            return
        }
        if name == nTxDtls && txDepth == 0 {
            txDepth = d
            return
        }
        guard txDepth > 0 else { return }
        let t = txDepth
        if d == t + 1 && name == nAddtlTxInf {
            if reading.pointee.additionalTxInfo.isEmpty { begin(.addtlTx, s) }
        } else if d == t + 2 && name == nUstrd && up(s, 1) == nRmtInf {
            begin(.remittance, s)
        } else if d == t + 2 && name == nEndToEndId && up(s, 1) == nRefs {
            begin(.endToEndId, s)
        } else if s.name(atDepth: t + 1) == nRltdPties && name == nNm {
            // Dbtr/Nm (to .001.06) or Dbtr/Pty/Nm (.001.07 on)
            let p1 = up(s, 1), p2 = up(s, 2)
            if (d == t + 3 && p1 == nDbtr) || (d == t + 4 && p1 == nPty && p2 == nDbtr) { begin(.debtorName, s) }
            else if (d == t + 3 && p1 == nCdtr) || (d == t + 4 && p1 == nPty && p2 == nCdtr) { begin(.creditorName, s) }
        } else if s.name(atDepth: t + 1) == nRltdPties && (name == nIBAN || (name == nId && up(s, 1) == nOthr)) {
            // DbtrAcct/Id/IBAN or DbtrAcct/Id/Othr/Id
            let accountElement = name == nIBAN ? (d == t + 4 ? up(s, 2) : nil) : (d == t + 5 ? up(s, 3) : nil)
            if accountElement == nDbtrAcct { begin(.debtorAccount, s) }
            else if accountElement == nCdtrAcct { begin(.creditorAccount, s) }
        }
    }

    override func endElement(_ s: XMLStream, _ name: XMLName) {
        let d = s.depth
        if let f = field, d == fieldDepth {
            finishField(f, s)
            field = nil
            s.endText()
        }
        if d == txDepth {
            txDepth = 0
        } else if d == entryDepth {
            finishEntry(reading.pointee)
            entryDepth = 0
        } else if d == balDepth {
            if let b = balance { finishBalance(b) }
            balance = nil
            balDepth = 0
        } else if d == stmtDepth {
            finishStatement(s)
            stmtDepth = 0
        }
    }

    private func finishField(_ f: Field, _ s: XMLStream) {
        let r = reading
        let raw = s.textBytes
        switch f {
        case .statementId: statementId = s.text
        case .statementEnd: statementEnd = s.text
        case .statementCreated: statementCreated = s.text
        case .messageCreated: messageCreated = s.text
        case .account: account = s.text
        case .accountOther: accountOther = s.text
        case .accountName: accountName = s.text
        case .balCode: balance?.code = s.text
        case .balAmount: balance?.amountText = s.text
        case .balCreditDebit: balance?.creditDebit = s.text
        case .balDate: balance?.date = s.text
        case .amount: r.pointee.amount = r.pointee.lay(raw)
        case .creditDebit: r.pointee.creditDebit = r.pointee.lay(raw)
        case .status: r.pointee.status = r.pointee.lay(raw)
        case .bookingDate: r.pointee.bookingDate = r.pointee.lay(raw)
        case .valueDate: r.pointee.valueDate = r.pointee.lay(raw)
        case .servicerRef: r.pointee.accountServicerRef = r.pointee.lay(raw)
        case .entryRef: r.pointee.entryRef = r.pointee.lay(raw)
        case .domain: r.pointee.domain = r.pointee.lay(raw)
        case .family: r.pointee.family = r.pointee.lay(raw)
        case .subFamily: r.pointee.subFamily = r.pointee.lay(raw)
        case .proprietary: if r.pointee.proprietaryCode.isEmpty { r.pointee.proprietaryCode = r.pointee.lay(raw) }
        case .debtorName: r.pointee.add(raw, to: .debtorNames)
        case .creditorName: r.pointee.add(raw, to: .creditorNames)
        case .debtorAccount: r.pointee.add(raw, to: .debtorAccounts)
        case .creditorAccount: r.pointee.add(raw, to: .creditorAccounts)
        case .remittance: r.pointee.add(raw, to: .remittance)
        case .endToEndId: r.pointee.add(raw, to: .endToEndIds, unlessNotProvided: true)
        case .addtlEntry: r.pointee.additionalEntryInfo = r.pointee.lay(raw)
        case .addtlTx: r.pointee.additionalTxInfo = r.pointee.lay(raw)
        }
    }

    private var statementAccount: String { account.isEmpty ? accountOther : account }

    /// The amount of an entry or balance (`present`: it has an `<Amt>`), or why it cannot be read.
    private func money(_ text: String, _ code: String, present: Bool) -> Result<Money, FieldError> {
        guard present else {
            return .failure(FieldError(check: .rejectAmount, message: "the amount is missing (expected <Amt Ccy=\"EUR\">123.45</Amt>)"))
        }
        guard let currency = Currency(code: code) else {
            return .failure(FieldError(check: .rejectCurrency,
                                       message: code.isEmpty ? "the amount has no Ccy attribute (expected <Amt Ccy=\"EUR\">)"
                                                             : "\"\(code)\" is not a currency (expected an ISO 4217 code such as EUR)"))
        }
        var tooLarge = false
        guard let units = AmountParser.xmlValue(text, digits: currency.minorDigits, rounded: &rounded, tooLarge: &tooLarge) else {
            return .failure(FieldError(check: .rejectAmount, message: tooLarge ? AmountParser.tooLargeMessage(text, digits: currency.minorDigits)
                                                                                   : "\"\(text)\" is not an amount (expected a number such as 1234.56)"))
        }
        guard units >= 0 else {
            return .failure(FieldError(check: .rejectAmount, message: "\"\(text)\" is negative (expected an amount without sign: CdtDbtInd gives the direction)"))
        }
        return .success(Money(minorUnits: units, currency: currency))
    }

    struct FieldError: Error { var check: Check; var message: String }

    /// `money` for an entry, read from its bytes (the `String`s are made only to say what is wrong).
    private func money(_ e: borrowing Camt053ReadEntry) -> Result<Money, FieldError> {
        if e.amountLine > 0, let currency = e.withBytes(e.currency, { XMLText.currency($0) }) {
            let before = rounded
            var tooLarge = false
            if let units = e.withBytes(e.amount, { AmountParser.xmlValue(UnsafeRawBufferPointer($0), digits: currency.minorDigits,
                                                                         rounded: &rounded, tooLarge: &tooLarge) }),
               units >= 0 {
                return .success(Money(minorUnits: units, currency: currency))
            }
            rounded = before
        }
        return money(e.string(e.amount), e.string(e.currency), present: e.amountLine > 0)
    }

    private func finishEntry(_ e: borrowing Camt053ReadEntry) {
        // The usual codes, already upper case, are compared as bytes (no `String` made).
        let status = e.is(e.status, "BOOK") ? "BOOK" : e.upper(e.status)
        let sign: Int64
        switch e.is(e.creditDebit, "CRDT") ? "CRDT" : e.is(e.creditDebit, "DBIT") ? "DBIT" : e.upper(e.creditDebit) {
        case "CRDT": sign = 1
        case "DBIT": sign = -1
        default: sign = 0
        }
        let location = SourceLocation(file: file, line: e.line, path: e.string(e.path))
        let amount: Money?
        switch money(e) {
        case .success(let m): amount = sign == 0 ? nil : Money(minorUnits: m.minorUnits * sign, currency: m.currency)
        case .failure(let problem):
            if status == "BOOK" || status.isEmpty { unreadEntries += 1 }
            let at = e.amountLine > 0
                ? SourceLocation(file: file, line: e.amountLine, path: (location.path ?? "") + "/Amt") : location
            sink.reject(at, check: problem.check, problem.message)
            return
        }
        if !(status == "BOOK" || status.isEmpty) {
            let what = status == "PDNG" ? "pending entry" : "entry with status \(status)"
            sink.skip(location, check: .skipPending, "\(what) skipped: only booked entries are movements", amount: amount)
            return
        }
        guard let amount else {
            unreadEntries += 1
            let indicator = e.string(e.creditDebit)
            sink.reject(location, check: .rejectAmount,
                        "the credit/debit indicator is \(indicator.isEmpty ? "missing" : "\"\(indicator)\"") (expected <CdtDbtInd>CRDT</CdtDbtInd> or DBIT)")
            return
        }
        var date = e.withBytes(e.bookingDate) { Day(iso: $0) } ?? e.withBytes(e.valueDate) { Day(iso: $0) }
        if date == nil && e.bookingDate.isEmpty && e.valueDate.isEmpty, let fallback = statementDate() {
            // Some banks (batch totals of a clearing system) date only the statement.
            date = fallback.0
            undatedEntries += 1
            undatedAs = fallback
        }
        guard let day = date else {
            unreadEntries += 1
            let shown = e.bookingDate.isEmpty ? "the entry has no booking date" : "\"\(e.string(e.bookingDate))\" is not a date"
            sink.reject(location, check: .rejectDate, "\(shown) (expected <BookgDt><Dt>2023-04-01</Dt></BookgDt>)", amount: amount)
            return
        }
        let code = amount.currency.code
        if let k = bookedTotals.firstIndex(where: { $0.code == code }) {
            let (total, overflow) = bookedTotals[k].total.addingReportingOverflow(amount.minorUnits)
            bookedTotals[k].total = total
            if overflow { bookedOverflowed = true }
        } else {
            bookedTotals.append((code, amount.minorUnits))
        }
        let credit = sign > 0
        let names = e[credit ? .debtorNames : .creditorNames]
        let accounts = e[credit ? .debtorAccounts : .creditorAccounts]
        var kind = status.isEmpty ? "BOOK" : status
        if !e.domain.isEmpty {
            kind = [e.domain, e.family, e.subFamily].filter { !$0.isEmpty }.map { e.string($0) }.joined(separator: "-")
        } else if !e.proprietaryCode.isEmpty {
            kind = e.string(e.proprietaryCode)
        }
        let remittance = e[.remittance], endToEndIds = e[.endToEndIds]
        let description = !remittance.isEmpty ? e.joined(remittance, separator: " ")
            : e.string(e.either(e.additionalEntryInfo, e.additionalTxInfo))
        let bankRef = e.string(e.either(e.accountServicerRef, e.entryRef))
        let reference = endToEndIds.count == 1 ? e.string(endToEndIds[0]) : bankRef
        let movement = Movement(
            date: day, amount: amount, account: statementAccount, accountName: accountName,
            counterparty: e.joined(names, separator: "; "), counterpartyId: accounts.count == 1 ? e.string(accounts[0]) : "",
            description: description, reference: reference, nativeId: bankRef, kind: kind, location: location)
        sink.load(.movement(movement), amount: amount.minorUnits)
    }

    private func finishBalance(_ b: Camt053Balance) {
        let code = b.code.uppercased()
        guard code == "OPBD" || code == "PRCD" || code == "CLBD" else { return }
        switch money(b.amountText, b.currency, present: b.hasAmount) {
        case .failure(let problem):
            sink.reject(b.location, check: problem.check, "\(code) balance: \(problem.message)")
            return
        case .success(let m):
            let sign: Int64 = b.creditDebit.uppercased() == "DBIT" ? -1 : 1
            guard let day = Day(iso: b.date) else {
                sink.reject(b.location, check: .rejectDate,
                            "\(code) balance: \(b.date.isEmpty ? "no date" : "\"\(b.date)\" is not a date") (expected <Dt><Dt>2023-04-01</Dt></Dt>)")
                return
            }
            let amount = Money(minorUnits: m.minorUnits * sign, currency: m.currency)
            let record = StatementBalance(kind: code == "CLBD" ? .closing : .opening, date: day, amount: amount,
                                          account: statementAccount, statementId: statementId, location: b.location)
            sink.load(.balance(record), amount: 0)
            parsedBalances.append((code, amount, day, b.location))
        }
    }

    private var parsedBalances: [(code: String, amount: Money, date: Day, location: SourceLocation)] = []

    /// The day a statement is about, for entries that give none: the end of
    /// its period, its closing (else opening) balance's date, or when it or
    /// the message was made.
    private func statementDate() -> (Day, String)? {
        if let d = Day(iso: statementEnd) { return (d, "the end of the statement's period") }
        if let b = parsedBalances.first(where: { $0.code == "CLBD" }) { return (b.date, "the date of its closing balance") }
        if let b = parsedBalances.first { return (b.date, "the date of its opening balance") }
        if let d = Day(iso: statementCreated) { return (d, "the day the statement was made") }
        if let d = Day(iso: messageCreated) { return (d, "the day the message was made") }
        return nil
    }

    private func finishStatement(_ s: XMLStream) {
        statementCount += 1
        defer { parsedBalances = [] }
        let where_ = SourceLocation(file: file, line: s.line, path: s.elementPath)
        let name = statementId.isEmpty ? "the statement" : "statement \(statementId)"
        if undatedEntries > 0, let (day, why) = undatedAs {
            sink.report(Diagnostic(.warning, where_, check: .bankEntryDate,
                                   "\(name): \(undatedEntries) booked \(undatedEntries == 1 ? "entry has" : "entries have") no booking or value date; dated \(day), \(why)"))
        }
        let opening = parsedBalances.first { $0.code == "OPBD" } ?? parsedBalances.first { $0.code == "PRCD" }
        let closing = parsedBalances.first { $0.code == "CLBD" }
        guard let opening, let closing else {
            let missing = [opening == nil ? "opening (OPBD or PRCD)" : nil, closing == nil ? "closing (CLBD)" : nil]
                .compactMap { $0 }.joined(separator: " and ")
            sink.report(Diagnostic(.warning, where_, check: .bankBalance,
                                   "\(name): balance not checked: no readable \(missing) balance"))
            return
        }
        let currency = opening.amount.currency
        let others = bookedTotals.map(\.code).filter { $0 != currency.code }.sorted()
        if closing.amount.currency != currency || !others.isEmpty {
            let list = ([closing.amount.currency.code] + others).filter { $0 != currency.code }
            sink.report(Diagnostic(.warning, closing.location, check: .bankBalance,
                                   "\(name): balance not checked: the opening balance is in \(currency.code) but the statement also has \(Set(list).sorted().joined(separator: ", ")) amounts"))
            return
        }
        if unreadEntries > 0 {
            sink.report(Diagnostic(.warning, closing.location, check: .bankBalance,
                                   "\(name): balance not checked: \(unreadEntries) booked \(unreadEntries == 1 ? "entry" : "entries") could not be read"))
            return
        }
        let booked = Money(minorUnits: bookedTotals.first { $0.code == currency.code }?.total ?? 0, currency: currency)
        let (sum, sumOverflow) = opening.amount.minorUnits.addingReportingOverflow(booked.minorUnits)
        let (gap, gapOverflow) = closing.amount.minorUnits.subtractingReportingOverflow(sum)
        if bookedOverflowed || sumOverflow || gapOverflow {
            sink.report(Diagnostic(.error, closing.location, check: .bankBalance,
                                   "\(name): the balance cannot be checked: the opening balance and booked entries add up to more than \(Money(minorUnits: .max, currency: currency)) (expected the amounts of a real statement)"))
            return
        }
        let expected = Money(minorUnits: sum, currency: currency)
        if expected == closing.amount {
            sink.report(Diagnostic(.note, closing.location, check: .bankBalance,
                                   "\(name): closing balance \(closing.amount) = opening balance \(opening.amount) + booked entries \(booked.decimalString)"))
        } else {
            let difference = Money(minorUnits: gap, currency: currency)
            sink.report(Diagnostic(.error, closing.location, check: .bankBalance,
                                   "\(name): closing balance \(closing.amount) does not equal opening balance \(opening.amount) + booked entries \(booked.decimalString) = \(expected) (difference \(difference.decimalString))",
                                   amount: difference))
        }
    }
}
