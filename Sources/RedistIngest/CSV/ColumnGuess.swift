import RedistModel

/// `[source.columns]` guessed from a plain CSV's header row, as `redist init`
/// writes them: the titles accounting and bank exports give their columns
/// (`Date`, `Amount`, `Paid In`/`Paid Out`, `Debit`/`Credit`, `Description`,
/// `Reference`, `Nominal Code`, `Fund`, `Contact`, …, and a few other
/// languages' `Data`, `Datum`, `Valor`, `Betrag`, `Histórico`), compared
/// ignoring case, spaces and punctuation. The first title that fits a field wins.
public enum ColumnGuess {
    /// Field → titles that mean it, most specific first.
    static let synonyms: [(field: String, titles: [String])] = [
        ("date", ["date", "transaction date", "posting date", "post date", "entry date", "value date", "booking date", "posted date", "datetime",
                  "completed date", "started date", "transaction posted date", "created", "created (utc)", "created utc", "date (utc)",
                  "data", "datum", "fecha", "buchungsdatum"]),
        ("paid_in", ["paid in", "money in", "credit amount", "deposit", "deposits", "receipts", "in", "inflow", "deposit (+)"]),
        ("paid_out", ["paid out", "money out", "debit amount", "withdrawal", "withdrawals", "payments", "out", "outflow", "withdrawal (-)"]),
        ("debit", ["debit", "debits", "dr"]),
        ("credit", ["credit", "credits", "cr"]),
        ("amount", ["amount", "value", "net amount", "gross", "amount (gbp)", "amount (£)", "transaction amount", "amount (total)", "total",
                    "valor", "betrag", "importe", "montant"]),
        ("direction", ["transaction type", "debit/credit", "dr/cr", "cr/dr", "credit/debit", "type"]),
        ("account", ["nominal code", "account code", "nominal", "account number", "account", "a/c", "n/c", "code"]),
        ("account_name", ["nominal name", "account name", "nominal description"]),
        ("fund", ["fund", "fund code", "restriction", "project", "cost centre", "department", "tracking"]),
        ("counterparty", ["contact", "payee", "counter party", "counterparty", "name", "supplier", "customer", "paid to", "from/to", "merchant"]),
        ("description", ["details", "description", "memo", "narrative", "transaction description", "particulars", "notes", "note",
                         "histórico", "historico", "verwendungszweck", "buchungstext", "concepto", "libellé"]),
        ("reference", ["reference", "ref", "cheque no", "cheque number", "check #", "check number", "transaction reference", "invoice"]),
        ("currency", ["currency", "ccy", "curr"]),
        ("id", ["transaction id", "id", "unique id"]),
    ]

    /// Compared without case, spaces, `_` or a leading `*` (Xero's required-column mark).
    static func fold(_ title: String) -> String {
        String(title.lowercased().filter { !$0.isWhitespace && $0 != "_" && $0 != "*" })
    }

    /// The mapping for a header, or nil when it has no date column or no amount column(s).
    /// `directionValues` are a sample of the values under a column titled as a
    /// direction (`Transaction Type`): it is taken as one only when they read as debit/credit.
    public static func columns(_ titles: [String], sample: [[String]] = []) -> [String: String]? {
        var taken = Set<Int>()
        var out: [String: String] = [:]
        let folded = titles.map(fold)
        for (field, names) in synonyms {
            for name in names {
                let f = fold(name)
                if let i = folded.indices.first(where: { folded[$0] == f && !taken.contains($0) && !titles[$0].isEmpty }) {
                    out[field] = titles[i]
                    taken.insert(i)
                    break
                }
            }
        }
        // A pair only counts when both halves are there; a type column only with debit/credit values under it.
        if (out["paid_in"] == nil) != (out["paid_out"] == nil) {
            if let lone = out["paid_in"] ?? out["paid_out"], out["amount"] == nil { out["amount"] = lone }
            out["paid_in"] = nil; out["paid_out"] = nil
        }
        if (out["debit"] == nil) != (out["credit"] == nil) { out["debit"] = nil; out["credit"] = nil }
        if let d = out["direction"] {
            let i = titles.firstIndex(of: d)!
            let values = sample.compactMap { i < $0.count ? $0[i].lowercased() : nil }.filter { !$0.isEmpty }
            let words: Set<String> = ["debit", "credit", "dr", "cr", "d", "c"]
            if values.isEmpty || !values.allSatisfy(words.contains) || out["amount"] == nil { out["direction"] = nil }
        }
        if out["paid_in"] != nil || out["debit"] != nil { out["amount"] = nil; out["direction"] = nil }
        guard out["date"] != nil, out["amount"] != nil || out["paid_in"] != nil || out["debit"] != nil else { return nil }
        return out
    }

    /// A member register's `[source.columns]`: an identifier, a name and a consent column.
    public static func memberColumns(_ titles: [String]) -> [String: String]? {
        let f = titles.map(fold)
        func find(_ names: [String]) -> String? {
            for n in names { if let i = f.firstIndex(of: fold(n)) { return titles[i] } }
            return nil
        }
        guard let id = find(["identifier", "id", "org id", "member id", "group id"]), let name = find(["name", "group name", "member name"]),
              let consent = find(["consent to be named", "consent", "consent to name", "named"]) else { return nil }
        var out = ["id": id, "name": name, "consent": consent]
        if let v = find(["kind", "type", "member type"]) { out["kind"] = v }
        if let v = find(["region", "area", "location"]) { out["region"] = v }
        if let v = find(["characteristics", "tags", "communities"]) { out["characteristics"] = v }
        if let v = find(["consent date", "date of consent", "consented on"]) { out["consent_date"] = v }
        if let v = find(["consent scope", "consent to", "named to"]) { out["consent_scope"] = v }
        if let v = find(["consent expires", "consent expiry", "consent until"]) { out["consent_expires"] = v }
        return out
    }
}
