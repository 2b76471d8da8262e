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

/// A field's collapsed text, or an element path, as a byte range in its
/// transaction's `bytes`.
typealias GnuCashText = XMLByteRange

/// A split while it is read: byte ranges in its transaction's `bytes`,
/// and its account by number (see `GnuCashHandler.accountNumber`).
struct GnuCashReadSplit {
    var id = GnuCashText(), memo = GnuCashText(), reconciled = GnuCashText(), value = GnuCashText()
    var quantity = GnuCashText(), account = GnuCashText()
    var accountNumber = 0
    var line = 0
    var path = GnuCashText()
}

/// A transaction while it is read: its fields and its splits' fields,
/// collapsed, and their element paths are laid out in `bytes`, so reading
/// one makes no `String`: only the fields a movement keeps become one.
struct GnuCashReadTransaction {
    var bytes: [UInt8]
    var splits: [GnuCashReadSplit]
    var id = GnuCashText(), currencySpace = GnuCashText(), currencyId = GnuCashText()
    var datePosted = GnuCashText(), description = GnuCashText(), num = GnuCashText()
    /// `datePosted` read as a date (nil when it is not one).
    var dayPosted: Day?
    var line: Int
    var path = GnuCashText()

    /// Lays out text as `XMLText.collapsed` reads it.
    mutating func lay(_ raw: UnsafeBufferPointer<UInt8>) -> GnuCashText {
        let start = bytes.count
        XMLText.appendCollapsed(raw, to: &bytes)
        return GnuCashText(start: start, end: bytes.count)
    }

    /// Lays out an element path as it is.
    mutating func layPath(_ raw: UnsafeBufferPointer<UInt8>) -> GnuCashText {
        let start = bytes.count
        bytes.append(contentsOf: raw)
        return GnuCashText(start: start, end: bytes.count)
    }

    func string(_ t: GnuCashText) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[t.start..<t.end]), as: UTF8.self) }
    }

    func withBytes<R>(_ t: GnuCashText, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[t.start..<t.end])) }
    }

    func location(file: String, line: Int, path: GnuCashText) -> SourceLocation {
        SourceLocation(file: file, line: line, path: string(path))
    }

    /// The transaction as `GnuCashTransaction`'s `String`s.
    func asRead(file: String) -> GnuCashTransaction {
        GnuCashTransaction(
            id: string(id), currencySpace: string(currencySpace), currencyId: string(currencyId),
            datePosted: string(datePosted), dayPosted: dayPosted, description: string(description), num: string(num),
            splits: splits.map { sp in
                GnuCashSplit(id: string(sp.id), memo: string(sp.memo), reconciled: string(sp.reconciled), value: string(sp.value),
                             quantity: string(sp.quantity), account: string(sp.account),
                             location: location(file: file, line: sp.line, path: sp.path))
            },
            location: location(file: file, line: line, path: path))
    }
}

/// The SAX state machine for GnuCash XML books.
final class GnuCashHandler: XMLStreamHandler {
    /// Values with more decimals than their currency, rounded: the file's findings say how many.
    var rounded = 0
    private let sink: RecordSink
    private let file: String
    private let accountByCode: Bool
    private let memoIsCounterparty: Bool
    /// Called with each (non-template) transaction as read, for tests.
    var onTransaction: ((GnuCashTransaction) -> Void)?

    private(set) var accounts: [String: GnuCashAccount] = [:]
    /// Each account guid seen (defined, or named by a split) has a number,
    /// so a split finds its account from its bytes: `defined[n]` is the
    /// account numbered n once the book defines it, and `paths[n]` its full
    /// path once asked for (forgotten whenever an account is defined).
    private let accountNumbers = ByteInterner()
    private var defined: [GnuCashAccount?] = []
    private var paths: [String?] = []
    /// Transactions naming an account not yet defined (books put accounts
    /// first, so this stays empty in practice).
    private var pending: [GnuCashReadTransaction] = []
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
    /// The transaction and the split being read (while `transactionDepth`
    /// is set outside the templates, and `splitDepth` is set), behind one
    /// pointer so that they are filled in place: the transaction's bytes and
    /// splits are emptied for the next one, keeping their room.
    private struct Reading {
        var transaction = GnuCashReadTransaction(bytes: [], splits: [], line: 0)
        var split = GnuCashReadSplit()
    }
    private let reading: UnsafeMutablePointer<Reading> = {
        let p = UnsafeMutablePointer<Reading>.allocate(capacity: 1)
        p.initialize(to: Reading())
        return p
    }()
    private var splitDepth = 0
    private var templateDescription = ""
    private var templateLocation: SourceLocation?

    private enum Field {
        case accountName, accountId, accountType, accountParent, accountCode
        case trnId, currencySpace, currencyId, datePosted, description, num
        case splitId, memo, reconciled, value, quantity, splitAccount
        case templateDescription
    }
    private var field: Field?
    /// Fields no movement uses (the transaction's id, reconciled state,
    /// quantity) are read only when a test looks at the whole parse.
    private var keepsAll: Bool { onTransaction != nil }
    private var fieldDepth = 0

    init(_ s: XMLStream, sink: RecordSink, accountByCode: Bool = true, memoIsCounterparty: Bool = false) {
        self.sink = sink
        self.file = s.displayPath
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

    deinit {
        reading.deinitialize(count: 1)
        reading.deallocate()
    }

    private func begin(_ f: Field, _ s: XMLStream) {
        field = f
        fieldDepth = s.depth
        s.beginText()
    }

    /// The number of the account with this guid.
    private func accountNumber(_ guid: UnsafeRawBufferPointer) -> Int {
        let (n, isNew) = accountNumbers.intern(guid)
        if isNew {
            defined.append(nil)
            paths.append(nil)
        }
        return n
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
                let r = reading
                r.pointee.transaction.bytes.removeAll(keepingCapacity: true)
                r.pointee.transaction.splits.removeAll(keepingCapacity: true)
                r.pointee.transaction = GnuCashReadTransaction(bytes: r.pointee.transaction.bytes,
                                                               splits: r.pointee.transaction.splits, line: s.line)
                r.pointee.transaction.path = r.pointee.transaction.layPath(s.elementPathBytes())
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
            let r = reading
            r.pointee.split = GnuCashReadSplit(line: s.line, path: r.pointee.transaction.layPath(s.elementPathBytes()))
        }
    }

    override func endElement(_ s: XMLStream, _ name: XMLName) {
        let d = s.depth
        if let f = field, d == fieldDepth {
            switch f {
            case .accountName: account.name = s.text
            case .accountId: account.id = s.text
            case .accountType: account.type = s.text
            case .accountParent: account.parent = s.text
            case .accountCode: account.code = s.text
            case .templateDescription: templateDescription = s.text
            default:
                let r = reading
                let text = r.pointee.transaction.lay(s.textBytes)
                switch f {
                case .trnId: r.pointee.transaction.id = text
                case .currencySpace: r.pointee.transaction.currencySpace = text
                case .currencyId: r.pointee.transaction.currencyId = text
                case .datePosted:
                    r.pointee.transaction.datePosted = text
                    r.pointee.transaction.dayPosted = r.pointee.transaction.bytes.withUnsafeBufferPointer {
                        Day(iso: UnsafeBufferPointer(rebasing: $0[text.start..<text.end]))
                    }
                case .description: r.pointee.transaction.description = text
                case .num: r.pointee.transaction.num = text
                case .splitId: r.pointee.split.id = text
                case .memo: r.pointee.split.memo = text
                case .reconciled: r.pointee.split.reconciled = text
                case .value: r.pointee.split.value = text
                case .quantity: r.pointee.split.quantity = text
                case .splitAccount: r.pointee.split.account = text
                default: break
                }
            }
            field = nil
            s.endText()
        }
        if d == splitDepth {
            let r = reading
            r.pointee.split.accountNumber = r.pointee.transaction.withBytes(r.pointee.split.account) { accountNumber($0) }
            r.pointee.transaction.splits.append(r.pointee.split)
            splitDepth = 0
        } else if d == transactionDepth {
            if templateDepth > 0 {
                templateCount += 1
                let what = templateDescription.isEmpty ? "" : " \"\(templateDescription)\""
                sink.skip(templateLocation ?? s.location(), check: .skipTemplate,
                          "scheduled-transaction template\(what) skipped (it is not a transaction until GnuCash creates one from it)")
            } else {
                let t = reading
                transactionCount += 1
                onTransaction?(t.pointee.transaction.asRead(file: file))
                if t.pointee.transaction.splits.contains(where: { defined[$0.accountNumber] == nil }) {
                    pending.append(t.pointee.transaction)
                } else {
                    emit(t.pointee.transaction)
                }
            }
            transactionDepth = 0
        } else if d == accountDepth {
            if !account.id.isEmpty {
                accounts[account.id] = account
                var id = account.id
                let n = id.withUTF8 { accountNumber(UnsafeRawBufferPointer($0)) }
                defined[n] = account
                for i in paths.indices { paths[i] = nil }
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
        var id = id
        return fullPath(number: id.withUTF8 { accountNumber(UnsafeRawBufferPointer($0)) }, id: id)
    }

    private func fullPath(number: Int, id: String) -> String {
        if let cached = paths[number] { return cached }
        var names: [String] = []
        var current = accounts[id]
        var seen = Set<String>()
        while let a = current, a.type != "ROOT", !seen.contains(a.id) {
            seen.insert(a.id)
            names.append(a.name)
            current = a.parent.isEmpty ? nil : accounts[a.parent]
        }
        let path = names.reversed().joined(separator: ":")
        paths[number] = path
        return path
    }

    private func emit(_ t: GnuCashReadTransaction) {
        var currency: Currency? = nil
        let space = t.string(t.currencySpace).uppercased()
        if space == "ISO4217" || space == "CURRENCY" { currency = Currency(code: t.string(t.currencyId)) }
        let day = t.dayPosted
        let file = self.file
        for sp in t.splits {
            guard let a = defined[sp.accountNumber] else {
                let named = t.string(sp.account)
                sink.reject(t.location(file: file, line: sp.line, path: sp.path), check: .rejectAccount,
                            "the split names account \(named.isEmpty ? "(none)" : named), which the book does not define (expected the guid of an account in the book)")
                continue
            }
            var tooLarge = false
            let units = currency.flatMap { c in
                t.withBytes(sp.value) { AmountParser.xmlValue($0, digits: c.minorDigits, rounded: &rounded, tooLarge: &tooLarge) }
            }
            let money = currency.flatMap { c in units.map { Money(minorUnits: -$0, currency: c) } }
            guard a.type == "INCOME" || a.type == "EXPENSE" else {
                sink.skip(t.location(file: file, line: sp.line, path: sp.path), check: .skipOtherAccount,
                          "split on \(a.type) account \"\(fullPath(number: sp.accountNumber, id: a.id))\" skipped: only income and expense splits are movements (the other splits are the other side of the same money)",
                          amount: money.map { -$0 })
                continue
            }
            guard currency != nil else {
                sink.reject(t.location(file: file, line: t.line, path: t.path), check: .rejectCurrency,
                            "the transaction's currency \"\(t.string(t.currencySpace)):\(t.string(t.currencyId))\" is not a currency (expected ISO4217 and a code such as GBP)")
                continue
            }
            guard let money else {
                let value = t.string(sp.value)
                sink.reject(t.location(file: file, line: sp.line, path: sp.path), check: .rejectAmount,
                            tooLarge ? "the split value " + AmountParser.tooLargeMessage(value, digits: currency?.minorDigits ?? 2)
                                     : "the split value \"\(value)\" is not an amount (expected a fraction such as 16723/100)")
                continue
            }
            guard let day else {
                let posted = t.string(t.datePosted)
                let shown = posted.isEmpty ? "the transaction has no date posted" : "\"\(posted)\" is not a date"
                sink.reject(t.location(file: file, line: t.line, path: t.path), check: .rejectDate,
                            "\(shown) (expected <trn:date-posted><ts:date>2023-04-01 10:59:00 +0000</ts:date>)", amount: money)
                continue
            }
            var description = t.string(t.description), counterparty = ""
            let memo = t.string(sp.memo)
            if memoIsCounterparty {
                counterparty = memo
            } else if !memo.isEmpty {
                description = description.isEmpty ? memo : "\(description) — \(memo)"
            }
            let path = fullPath(number: sp.accountNumber, id: a.id)
            let byCode = accountByCode && !a.code.isEmpty
            let movement = Movement(
                date: day, amount: money, account: byCode ? a.code : path, accountName: byCode ? path : a.name,
                counterparty: counterparty, description: description, reference: t.string(t.num), nativeId: t.string(sp.id),
                kind: a.type, location: t.location(file: file, line: sp.line, path: sp.path))
            sink.load(.movement(movement), amount: money.minorUnits)
        }
    }
}
