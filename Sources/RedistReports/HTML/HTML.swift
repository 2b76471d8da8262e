import RedistCore
import RedistModel

/// Escaping for text placed into HTML or SVG built in Swift (templates
/// escape their own values).
enum HTML {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// How the HTML reports write money, shares, dates and counts for people:
/// shared by the trustees' report and the funders' evidence packs so that
/// the two always say the same thing the same way.
struct Wording {
    let currency: Currency
    let financialYear: FinancialYear

    init(_ pipeline: Pipeline) {
        currency = pipeline.organisation.currency
        financialYear = pipeline.organisation.financialYear
    }

    var symbol: String {
        switch currency.code {
        case "GBP": return "£"
        case "EUR": return "€"
        case "USD": return "$"
        default: return ""
        }
    }

    /// "£1": the unit a headline counts in.
    var one: String { symbol.isEmpty ? "1 " + currency.code : symbol + "1" }

    /// Hundredths of the unit in the currency's own small unit: "41p",
    /// "41¢", "41 cents"; nil where the currency has none to speak of.
    func hundredths(_ h: Int64) -> String? {
        switch symbol {
        case "£": return "\(h)p"
        case "$": return "\(h)¢"
        case "€": return "\(h) cents"
        default: return nil
        }
    }

    /// Exact, for tables: "£44,162.94".
    func money(_ v: Int64) -> String {
        let text = MoneyFormat.grouped(v, digits: currency.minorDigits, symbol: symbol)
        return symbol.isEmpty ? text + " " + currency.code : text
    }

    /// To the nearest whole unit, for sentences read aloud and chart labels: "£44,163".
    func pounds(_ v: Int64) -> String {
        var unit: Int64 = 1
        for _ in 0..<currency.minorDigits { unit *= 10 }
        let text = MoneyFormat.grouped(Rounding.divideHalfUp(v, unit), digits: 0, symbol: symbol)
        return symbol.isEmpty ? text + " " + currency.code : text
    }

    /// A rate held as a four-place decimal string ("0.4071") as "40.7%"; "–" when there is none.
    func percent(_ rate: String?) -> String {
        guard let bp = basisPoints(rate) else { return "–" }
        return MoneyFormat.decimal(Rounding.divideHalfUp(bp, 10), digits: 1) + "%"
    }

    func basisPoints(_ rate: String?) -> Int64? {
        rate.flatMap { AmountParser(digits: 4).parse($0) }
    }

    /// "1 January to 31 March 2024".
    func dates(_ p: Period) -> String {
        "\(p.start.day) \(Day.monthNames[p.start.month - 1])\(p.start.year == p.end.year ? "" : " \(p.start.year)") to \(p.end.day) \(Day.monthNames[p.end.month - 1]) \(p.end.year)"
    }

    /// "January to March 2024" for whole months, else the dates.
    func months(_ p: Period) -> String {
        guard p.start.day == 1, p.end.day == Day.daysIn(month: p.end.month, year: p.end.year) else { return dates(p) }
        let first = Day.monthNames[p.start.month - 1], last = Day.monthNames[p.end.month - 1]
        if p.start.year == p.end.year && p.start.month == p.end.month { return "\(first) \(p.end.year)" }
        return "\(first)\(p.start.year == p.end.year ? "" : " \(p.start.year)") to \(last) \(p.end.year)"
    }

    /// "Jan–Mar 2024", short enough to sit under a chart's quarter.
    func shortMonths(_ p: Period) -> String {
        let first = Day.monthNames[p.start.month - 1].prefix(3), last = Day.monthNames[p.end.month - 1].prefix(3)
        return "\(first)\(p.start.year == p.end.year ? "" : " \(p.start.year)")–\(last) \(p.end.year)"
    }

    /// "Q4 2023/24" for a quarter of the financial year, else its dates.
    func shortName(_ p: Period) -> String {
        financialYear.quarterLabel(p) ?? dates(p)
    }

    /// "Q4 2023/24 (1 January to 31 March 2024)".
    func fullName(_ p: Period) -> String {
        financialYear.quarterLabel(p).map { "\($0) (\(dates(p)))" } ?? dates(p)
    }

    /// What to call the period in a sentence: "this quarter" or "this period".
    func this(_ p: Period) -> String {
        p.calendarQuarter != nil ? "this quarter" : "in this period"
    }

    /// A day for people: "29 March 2024".
    func day(_ d: Day) -> String {
        "\(d.day) \(Day.monthNames[d.month - 1]) \(d.year)"
    }
}
