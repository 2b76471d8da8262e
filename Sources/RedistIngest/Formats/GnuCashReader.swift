import RedistModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A GnuCash book saved as XML (`gnc-v2`, GnuCash 2 and later), plain or
/// gzip-compressed (GnuCash's default; recognised by the bytes `1f 8b`, not
/// the file name).
///
/// Accounts are read with their type, code and parent, so each has a full
/// path such as `Expenses:Grants to groups` (the root account left out).
/// Every split of every transaction is one row: a split on an `INCOME` or
/// `EXPENSE` account becomes a movement whose amount is the split's value
/// negated (an expense split's positive value is money out, an income
/// split's negative value money in), in the transaction's currency, dated by
/// the transaction's date posted, with the account's type as `kind`, the
/// transaction's `num` as reference, its description as description and the
/// split's guid as native id. Splits on other accounts (bank, assets,
/// liabilities, equity: the other side of the same money) are skipped and
/// counted, and so is each scheduled-transaction template
/// (`gnc:template-transactions`) as a whole.
///
/// Options:
/// - `account = "code"` (the default): an account with a code (`act:code`,
///   a nominal code such as `5000`) is `account` = its code and
///   `accountName` = its full path, so rules can match codes and ranges; an
///   account without one is `account` = its full path and `accountName` =
///   its name. `account = "path"`: always the full path and the name.
/// - `memo = "description"` (the default): a split's memo follows the
///   description after ` — `. `memo = "counterparty"`: the memo is the
///   counterparty, for books that keep the contact there.
///
/// The GnuCash 1.x format and SQLite books are refused with a reason.
public struct GnuCashReader: SourceReader {
    public static let format = "gnucash"
    public static let roles: [SourceRole] = [.ledger]

    /// The root `<gnc-v2>` (or GnuCash 1.x's `<gnc>`, which the reader refuses saying why), plain or gzip.
    public static func claims(_ head: FileHead) -> Bool { head.firstTag == "gnc-v2" || head.firstTag == "gnc" }
    public static let columnKeys: [String] = []
    public static let optionKeys = ["account", "memo"]

    let configuration: ReaderConfiguration
    let accountByCode: Bool
    let memoIsCounterparty: Bool

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        let name = configuration.sourceName
        switch configuration.options["account"] ?? "code" {
        case "code": accountByCode = true
        case "path": accountByCode = false
        case let other:
            throw ReaderConfigurationError("source \"\(name)\": account must be \"code\" or \"path\", not \"\(other)\"")
        }
        switch configuration.options["memo"] ?? "description" {
        case "description": memoIsCounterparty = false
        case "counterparty": memoIsCounterparty = true
        case let other:
            throw ReaderConfigurationError("source \"\(name)\": memo must be \"description\" or \"counterparty\", not \"\(other)\"")
        }
    }

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        if Self.isSQLite(path) {
            throw FileFailure(SourceLocation(file: displayPath, line: 1),
                              "this is a GnuCash SQLite book, not XML (expected an XML book: in GnuCash use File › Save As… with Data Format \"xml\")")
        }
        let stream = try XMLStream(path: path, displayPath: displayPath)
        let handler = GnuCashHandler(stream, sink: sink, accountByCode: accountByCode, memoIsCounterparty: memoIsCounterparty)
        try stream.run(handler)
        handler.finish()
        for warning in stream.warnings { sink.report(warning) }
        sink.noteRoundedValues(handler.rounded, file: displayPath)
    }

    static func isSQLite(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { _ = close(fd) }
        var header = [UInt8](repeating: 0, count: 16)
        let n = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 16, 0) }
        return n == 16 && header == Array("SQLite format 3\0".utf8)
    }
}

/// A GnuCash account as read.
struct GnuCashAccount: Sendable, Equatable {
    var id = ""
    var name = ""
    var type = ""
    var parent = ""
    var code = ""
}

/// A GnuCash split as read.
struct GnuCashSplit: Sendable, Equatable {
    var id = ""
    var memo = ""
    var reconciled = ""
    var value = ""
    var quantity = ""
    var account = ""
    var location: SourceLocation
}

/// A GnuCash transaction as read.
struct GnuCashTransaction: Sendable, Equatable {
    var id = ""
    var currencySpace = ""
    var currencyId = ""
    var datePosted = ""
    /// `datePosted` read as a date (nil when it is not one).
    var dayPosted: Day?
    var description = ""
    var num = ""
    var splits: [GnuCashSplit] = []
    var location: SourceLocation
}

/// The SAX state machine for GnuCash XML books.
final class GnuCashHandler: XMLStreamHandler {
    /// Values with more decimals than their currency, rounded: the file's findings say how many.
    var rounded = 0
    private let sink: RecordSink
    private let accountByCode: Bool
    private let memoIsCounterparty: Bool
    /// Called with each (non-template) transaction as read, for tests.
    var onTransaction: ((GnuCashTransaction) -> Void)?

    private(set) var accounts: [String: GnuCashAccount] = [:]
    private var pathCache: [String: String] = [:]
    /// Transactions naming an account not yet defined (books put accounts
    /// first, so this stays empty in practice).
    private var pending: [GnuCashTransaction] = []
    private(set) var transactionCount = 0
    private(set) var templateCount = 0

    // Prefixes and names.
    private let pGnc, pAct, pTrn, pSplit, pTs, pCmdty: XMLName
    private let nRootV2, nRootV1, nAccount, nTransaction, nTemplates, nName, nId, nType, nParent, nCode: XMLName
    private let nCurrency, nSpace, nDatePosted, nDate, nDescription, nNum, nSplits, nSplit, nMemo: XMLName
    private let nReconciled, nValue, nQuantity: XMLName

    private var templateDepth = 0
    private var accountDepth = 0
    private var account = GnuCashAccount()
    private var transactionDepth = 0
    private var transaction: GnuCashTransaction?
    private var splitDepth = 0
    private var split: GnuCashSplit?
    private var templateDescription = ""
    private var templateLocation: SourceLocation?

    private enum Field {
        case accountName, accountId, accountType, accountParent, accountCode
        case trnId, currencySpace, currencyId, datePosted, description, num
        case splitId, memo, reconciled, value, quantity, splitAccount
        case templateDescription
    }
    private var field: Field?
    /// Bytes of a field read without a `String` (the date posted).
    private var scratch: [UInt8] = []
    /// Fields no movement uses (the transaction's id, reconciled state,
    /// quantity) are read only when a test looks at the whole parse.
    private var keepsAll: Bool { onTransaction != nil }
    private var fieldDepth = 0

    init(_ s: XMLStream, sink: RecordSink, accountByCode: Bool = true, memoIsCounterparty: Bool = false) {
        self.sink = sink
        self.accountByCode = accountByCode
        self.memoIsCounterparty = memoIsCounterparty
        pGnc = s.intern("gnc"); pAct = s.intern("act"); pTrn = s.intern("trn"); pSplit = s.intern("split")
        pTs = s.intern("ts"); pCmdty = s.intern("cmdty")
        nRootV2 = s.intern("gnc-v2"); nRootV1 = s.intern("gnc"); nAccount = s.intern("account")
        nTransaction = s.intern("transaction"); nTemplates = s.intern("template-transactions")
        nName = s.intern("name"); nId = s.intern("id"); nType = s.intern("type"); nParent = s.intern("parent")
        nCode = s.intern("code"); nCurrency = s.intern("currency"); nSpace = s.intern("space")
        nDatePosted = s.intern("date-posted"); nDate = s.intern("date"); nDescription = s.intern("description")
        nNum = s.intern("num"); nSplits = s.intern("splits"); nSplit = s.intern("split"); nMemo = s.intern("memo")
        nReconciled = s.intern("reconciled-state"); nValue = s.intern("value"); nQuantity = s.intern("quantity")
        s.alwaysIndex(nTransaction, nSplit)
    }

    private func begin(_ f: Field, _ s: XMLStream) {
        field = f
        fieldDepth = s.depth
        s.beginText()
    }

    override func startElement(_ s: XMLStream, _ tag: XMLStartTag) {
        let d = s.depth
        let name = tag.name, prefix = tag.prefix
        if d == 1 {
            if name == nRootV2 && prefix == nil { return }
            if name == nRootV1 && prefix == nil {
                s.fail("GnuCash 1.x XML format is not supported; open the book in GnuCash 2 or later and save it again")
            } else {
                s.fail("not a GnuCash XML book: the root element is <\(String(cString: name))> (expected <gnc-v2>)")
            }
            return
        }
        if templateDepth > 0 {
            if name == nTransaction && prefix == pGnc && transactionDepth == 0 {
                transactionDepth = d
                templateDescription = ""
                templateLocation = s.location()
            } else if transactionDepth > 0 && d == transactionDepth + 1 && prefix == pTrn && name == nDescription {
                begin(.templateDescription, s)
            }
            return
        }
        if prefix == pGnc {
            if name == nAccount && transactionDepth == 0 && accountDepth == 0 {
                accountDepth = d
                account = GnuCashAccount()
            } else if name == nTransaction && transactionDepth == 0 {
                transactionDepth = d
                transaction = GnuCashTransaction(location: s.location())
            } else if name == nTemplates {
                templateDepth = d
            }
            return
        }
        if accountDepth > 0 {
            guard d == accountDepth + 1, prefix == pAct else { return }
            if name == nName { begin(.accountName, s) }
            else if name == nId { begin(.accountId, s) }
            else if name == nType { begin(.accountType, s) }
            else if name == nParent { begin(.accountParent, s) }
            else if name == nCode { begin(.accountCode, s) }
            return
        }
        guard transactionDepth > 0 else { return }
        let t = transactionDepth
        if splitDepth > 0 {
            guard d == splitDepth + 1, prefix == pSplit else { return }
            if name == nId { begin(.splitId, s) }
            else if name == nMemo { begin(.memo, s) }
            else if name == nReconciled { if keepsAll { begin(.reconciled, s) } }
            else if name == nValue { begin(.value, s) }
            else if name == nQuantity { if keepsAll { begin(.quantity, s) } }
            else if name == nAccount { begin(.splitAccount, s) }
            return
        }
        if d == t + 1 && prefix == pTrn {
            if name == nId { if keepsAll { begin(.trnId, s) } }
            else if name == nDescription { begin(.description, s) }
            else if name == nNum { begin(.num, s) }
        } else if d == t + 2 && prefix == pCmdty && s.name(atDepth: t + 1) == nCurrency {
            if name == nSpace { begin(.currencySpace, s) }
            else if name == nId { begin(.currencyId, s) }
        } else if d == t + 2 && prefix == pTs && name == nDate && s.name(atDepth: t + 1) == nDatePosted {
            begin(.datePosted, s)
        } else if d == t + 2 && prefix == pTrn && name == nSplit && s.name(atDepth: t + 1) == nSplits {
            splitDepth = d
            split = GnuCashSplit(location: s.location())
        }
    }

    override func endElement(_ s: XMLStream, _ name: XMLName) {
        let d = s.depth
        if let f = field, d == fieldDepth {
            if f == .datePosted {
                // Read as a date from the bytes; the text is kept only to be shown (or looked at).
                scratch.removeAll(keepingCapacity: true)
                XMLText.appendCollapsed(s.textBytes, to: &scratch)
                let day = scratch.withUnsafeBufferPointer { XMLText.isoDay($0) }
                transaction?.dayPosted = day
                transaction?.datePosted = day == nil || keepsAll ? String(decoding: scratch, as: UTF8.self) : ""
                field = nil
                s.endText()
            }
        }
        if let f = field, d == fieldDepth {
            let text = s.text
            switch f {
            case .accountName: account.name = text
            case .accountId: account.id = text
            case .accountType: account.type = text
            case .accountParent: account.parent = text
            case .accountCode: account.code = text
            case .trnId: transaction?.id = text
            case .currencySpace: transaction?.currencySpace = text
            case .currencyId: transaction?.currencyId = text
            case .datePosted: transaction?.datePosted = text
            case .description: transaction?.description = text
            case .num: transaction?.num = text
            case .splitId: split?.id = text
            case .memo: split?.memo = text
            case .reconciled: split?.reconciled = text
            case .value: split?.value = text
            case .quantity: split?.quantity = text
            case .splitAccount: split?.account = text
            case .templateDescription: templateDescription = text
            }
            field = nil
            s.endText()
        }
        if d == splitDepth {
            // Moved, not copied: take() leaves nil behind.
            if let sp = split.take() { transaction?.splits.append(sp) }
            splitDepth = 0
        } else if d == transactionDepth {
            if templateDepth > 0 {
                templateCount += 1
                let what = templateDescription.isEmpty ? "" : " \"\(templateDescription)\""
                sink.skip(templateLocation ?? s.location(), check: .skipTemplate,
                          "scheduled-transaction template\(what) skipped (it is not a transaction until GnuCash creates one from it)")
            } else if let t = transaction.take() {
                transactionCount += 1
                onTransaction?(t)
                if t.splits.contains(where: { accounts[$0.account] == nil }) {
                    pending.append(t)
                } else {
                    emit(t)
                }
            }
            transaction = nil
            transactionDepth = 0
        } else if d == accountDepth {
            if !account.id.isEmpty {
                accounts[account.id] = account
                pathCache.removeAll(keepingCapacity: true)
            }
            accountDepth = 0
        } else if d == templateDepth {
            templateDepth = 0
        }
    }

    /// Hands on the transactions that named accounts defined after them.
    func finish() {
        let waiting = pending
        pending = []
        for t in waiting { emit(t) }
    }

    /// `Expenses:Grants to groups`: the account's name after its parents'
    /// names, the root account left out.
    func fullPath(_ id: String) -> String {
        if let cached = pathCache[id] { return cached }
        var names: [String] = []
        var current = accounts[id]
        var seen = Set<String>()
        while let a = current, a.type != "ROOT", !seen.contains(a.id) {
            seen.insert(a.id)
            names.append(a.name)
            current = a.parent.isEmpty ? nil : accounts[a.parent]
        }
        let path = names.reversed().joined(separator: ":")
        pathCache[id] = path
        return path
    }

    private func emit(_ t: GnuCashTransaction) {
        var currency: Currency? = nil
        let space = t.currencySpace.uppercased()
        if space == "ISO4217" || space == "CURRENCY" { currency = Currency(code: t.currencyId) }
        let day = t.dayPosted
        for sp in t.splits {
            guard let a = accounts[sp.account] else {
                sink.reject(sp.location, check: .rejectAccount,
                            "the split names account \(sp.account.isEmpty ? "(none)" : sp.account), which the book does not define (expected the guid of an account in the book)")
                continue
            }
            var tooLarge = false
            let units = currency.flatMap { AmountParser.xmlValue(sp.value, digits: $0.minorDigits, rounded: &rounded, tooLarge: &tooLarge) }
            let money = currency.flatMap { c in units.map { Money(minorUnits: -$0, currency: c) } }
            guard a.type == "INCOME" || a.type == "EXPENSE" else {
                sink.skip(sp.location, check: .skipOtherAccount,
                          "split on \(a.type) account \"\(fullPath(a.id))\" skipped: only income and expense splits are movements (the other splits are the other side of the same money)",
                          amount: money.map { -$0 })
                continue
            }
            guard currency != nil else {
                sink.reject(t.location, check: .rejectCurrency,
                            "the transaction's currency \"\(t.currencySpace):\(t.currencyId)\" is not a currency (expected ISO4217 and a code such as GBP)")
                continue
            }
            guard let money else {
                sink.reject(sp.location, check: .rejectAmount,
                            tooLarge ? "the split value " + AmountParser.tooLargeMessage(sp.value, digits: currency?.minorDigits ?? 2)
                                     : "the split value \"\(sp.value)\" is not an amount (expected a fraction such as 16723/100)")
                continue
            }
            guard let day else {
                let shown = t.datePosted.isEmpty ? "the transaction has no date posted" : "\"\(t.datePosted)\" is not a date"
                sink.reject(t.location, check: .rejectDate, "\(shown) (expected <trn:date-posted><ts:date>2023-04-01 10:59:00 +0000</ts:date>)", amount: money)
                continue
            }
            var description = t.description, counterparty = ""
            if memoIsCounterparty {
                counterparty = sp.memo
            } else if !sp.memo.isEmpty {
                description = description.isEmpty ? sp.memo : "\(description) — \(sp.memo)"
            }
            let path = fullPath(a.id)
            let byCode = accountByCode && !a.code.isEmpty
            let movement = Movement(
                date: day, amount: money, account: byCode ? a.code : path, accountName: byCode ? path : a.name,
                counterparty: counterparty, description: description, reference: t.num, nativeId: sp.id, kind: a.type,
                location: sp.location)
            sink.load(.movement(movement), amount: money.minorUnits)
        }
    }
}
