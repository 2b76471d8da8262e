/// What a finding is about: the `check` column of `quality.csv` and of the
/// warehouse's `finding` table. Each raw value is the stable text written
/// there; a new kind of finding is a new case here, documented, never a
/// string made up where the finding is raised.
///
/// `reject.…` findings are rows that could not be used (errors, counted as
/// rejected); `skip.…` are rows that are not records by design (notes,
/// counted as skipped); the others are about a file, the run as a whole or
/// the agreement of two sources.
public enum Check: String, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    // MARK: Rejected rows

    /// An amount could not be read: empty, not a number, more decimal places
    /// than allowed, too large, or a sign where the format gives the direction.
    case rejectAmount = "reject.amount"
    /// A date is empty or could not be read in the source's date format.
    case rejectDate = "reject.date"
    /// A currency code is not one redist knows, or the amount is in another
    /// currency than the organisation's and no rate converts it.
    case rejectCurrency = "reject.currency"
    /// A transaction names no account the file defines, or comes before any account heading.
    case rejectAccount = "reject.account"
    /// A CSV row has a different number of fields from the header.
    case rejectFields = "reject.fields"
    /// A CSV field has text after its closing quote.
    case rejectQuote = "reject.quote"
    /// A CSV field holds bytes that are not UTF-8 in a file that is UTF-8 elsewhere.
    case rejectEncoding = "reject.encoding"
    /// A Sage row's transaction type is not one Sage writes.
    case rejectType = "reject.type"
    /// A QIF record that is not ended by `^` (the file may be cut short).
    case rejectRecord = "reject.record"
    /// An IATI activity has no `<iati-identifier>`.
    case rejectIdentifier = "reject.identifier"
    /// A 360Giving grant has no Identifier.
    case rejectGrant = "reject.grant"
    /// A member register row has no identifier, or a kind or consent answer that cannot be read.
    case rejectMember = "reject.member"

    // MARK: Skipped rows

    /// A title line above an export's header row.
    case skipTitle = "skip.title"
    /// An account heading row of a report export (Xero, QuickBooks): it names
    /// the account of the rows below it.
    case skipHeading = "skip.heading"
    /// A report export's footer, or another undated row that is not a transaction.
    case skipFooter = "skip.footer"
    /// An opening, closing or total balance row of a report export.
    case skipBalanceRow = "skip.balance-row"
    /// An IATI transaction that is not a commitment or disbursement to the organisation.
    case skipTransactionType = "skip.transaction-type"
    /// A GnuCash scheduled-transaction template: not a transaction until GnuCash makes one.
    case skipTemplate = "skip.template"
    /// A QIF record of a type that moves no money (not Bank, CCard or Cash).
    case skipQIFType = "skip.qif-type"
    /// A camt.053 entry that is not booked (pending, for instance).
    case skipPending = "skip.pending"
    /// A 360Giving grant to another recipient than the organisation.
    case skipOtherRecipient = "skip.other-recipient"
    /// An IATI transaction whose receiver is not the organisation.
    case skipOtherOrganisation = "skip.other-organisation"
    /// A GnuCash split on an account that is neither income nor expense (the
    /// other side of the same money).
    case skipOtherAccount = "skip.other-account"
    /// A Sage line that moves no money (an invoice, credit note, journal or discount).
    case skipNoMoney = "skip.no-money"
    /// The bank account's side of a FreeAgent posting: its income or cost side is the same money.
    case skipBankSide = "skip.bank-side"

    // MARK: About a file

    /// The file could not be read at all; nothing from it is in any figure.
    case file = "file"
    /// The file's text encoding was not given and was worked out from its bytes.
    case encoding = "encoding"
    /// Amounts had more decimal places than their currency and were rounded.
    case rounded = "rounded"
    /// Amounts in another currency were converted at the pipeline's rates.
    case converted = "converted"
    /// A column the format expects is missing from the header.
    case missingColumn = "missing-column"
    /// Two grants in one file have the same identifier (each is kept).
    case duplicateIdentifier = "duplicate-identifier"
    /// A grant's planned start, end or duration could not be read; the grant is read without it.
    case plannedDate = "planned-date"
    /// libxml2 warned about the file (the file was still read).
    case xmlWarning = "xml.warning"
    /// An OFX investment statement, which is not read.
    case ofxInvestment = "ofx.investment"
    /// A bank statement's balances: checked against its transactions (a
    /// note), not checkable (a warning), or not adding up (an error).
    case bankBalance = "bank.balance"
    /// Bank statement entries with no date of their own, dated as the message says.
    case bankEntryDate = "bank.entry-date"

    // MARK: About the run

    /// A file's control totals: rows and amounts read = loaded + rejected + skipped.
    case controlTotals = "control-totals"
    /// A source in the pipeline file matched no file.
    case sourceNoFile = "source.no-file"
    /// Rows seen again in an overlapping export, counted once.
    case duplicates = "duplicates"
    /// A movement in the period that no rule classified.
    case unclassified = "unclassified"
    /// A fund used by movements in the period that has no `[[fund]]` table.
    case fundUndeclared = "fund.undeclared"
    /// A funder that gets no evidence pack: no money came in from it and none moved in its funds.
    case evidenceNoPack = "evidence.no-pack"

    // MARK: Do the sources agree?

    /// A funder's payments file against the ledger's income from that funder.
    case reconcileFunderPayments = "reconcile.funder-payments"
    /// A funder's grant totals against what the ledger received for each grant.
    case reconcileFunderGrantTotals = "reconcile.funder-grant-totals"
    /// The grants register's payments against the ledger's grant payments.
    case reconcileGrantsPayments = "reconcile.grants-payments"
    /// The bank statement's lines against the ledger.
    case reconcileBankStatement = "reconcile.bank-statement"

    // MARK: Read back

    /// A finding stored in the warehouse by a newer redist, under a check
    /// this one does not know; its stored name leads the message.
    case unrecognised = "unrecognised"

    /// The text written to `quality.csv` and the warehouse.
    public var description: String { rawValue }

    /// A rejected row: an error that `--strict` fails on, but not one that
    /// alone fails the run.
    public var rejectsRow: Bool { rawValue.hasPrefix("reject.") }

    /// A difference between two sources, reported in its own section.
    public var isReconciliation: Bool { rawValue.hasPrefix("reconcile.") }

    /// The check of a reconciliation of `kind` (`funder-payments`, …), as
    /// `reconciliation.csv`'s `kind` column names it.
    public init?(reconciliation kind: String) {
        guard let check = Check(rawValue: "reconcile." + kind), check.isReconciliation else { return nil }
        self = check
    }

    /// Ordered by the stored text, as findings were before checks had a type.
    public static func < (a: Check, b: Check) -> Bool { a.rawValue < b.rawValue }
}

extension Diagnostic {
    /// A finding as the warehouse stores it, read back. A check this version
    /// does not know (a newer redist stored it) is kept, not dropped, as
    /// `.unrecognised` with its stored name in front of the message; an
    /// unknown severity reads as an error.
    public init(stored severity: String, _ location: SourceLocation, check: String, _ message: String, amount: Money?) {
        let known = Check(rawValue: check)
        self.init(Severity(rawValue: severity) ?? .error, location, check: known ?? .unrecognised,
                  known == nil ? "\(check): \(message)" : message, amount: amount)
    }
}
