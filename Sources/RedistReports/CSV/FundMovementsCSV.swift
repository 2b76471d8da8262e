import RedistCore
import RedistModel

/// `fund_movements.csv`: the analysis of fund movements, one row per fund
/// and one with `fund = all`, for the period and then for the financial
/// year to date (whose `period` is its date range). After the contract's
/// columns, how much of the income and expenditure no rule has classified.
///
/// The writer refuses a table in which any row does not add up
/// (opening + income − expenditure + transfers = closing).
public enum FundMovementsCSV {
    public static let header = ["period", "fund", "fund_name", "fund_type", "opening", "income", "expenditure", "transfers", "closing",
                                "unclassified_in", "unclassified_out"]

    public static func render(_ tables: [FundMovements], currency: Currency) throws -> [UInt8] {
        var csv = CSVWriter(header: header)
        func money(_ v: Int64) -> String { MoneyFormat.decimal(v, digits: currency.minorDigits) }
        for table in tables {
            for r in table.funds + [table.total] {
                guard r.balances else { throw FundMovementsError(period: table.period.label, row: r) }
                csv.row([table.period.label, r.fund, r.name, r.type, money(r.opening), money(r.income), money(r.expenditure),
                         money(r.transfers), money(r.closing), money(r.unclassifiedIn), money(r.unclassifiedOut)])
            }
        }
        return csv.bytes
    }
}
