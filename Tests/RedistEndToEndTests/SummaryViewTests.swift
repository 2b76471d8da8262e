import Foundation
@testable import RedistCore
import Testing

/// Staff open the warehouse and `SELECT * FROM summary`: the view holds the
/// figures summary.csv printed for the organisation and each fund, on
/// either engine.
@Suite(.serialized) struct SummaryViewTests {
    /// The cells of a CSV line (quoted fields with commas and doubled quotes).
    static func cells(_ line: Substring) -> [String] {
        var out: [String] = [], cell = "", quoted = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" { if chars.first == "\"" { cell.append("\""); chars.removeFirst() } else { quoted = false } } else { cell.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { out.append(cell); cell = "" } else { cell.append(c) }
        }
        out.append(cell)
        return out
    }

    /// Pence as summary.csv writes them.
    static func decimal(_ pence: Int64) -> String {
        "\(pence < 0 ? "-" : "")\(pence.magnitude / 100).\(String(format: "%02d", Int(pence.magnitude % 100)))"
    }

    static var engines: [String] { PostgresTestServer.url == nil ? ["sqlite"] : ["sqlite", "postgresql"] }

    @Test(arguments: engines) func theSummaryViewHoldsTheReportsFigures(engine: String) throws {
        let dir = temporaryDirectory()
        let warehouse = engine == "sqlite" ? dir + "/w.sqlite" : PostgresTestServer.freshWarehouse()
        let run = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: warehouse)
        #expect(run.status == 0, "\(run.log)")
        let csv = text(dir + "/out/summary.csv").replacingOccurrences(of: "\u{FEFF}", with: "")
        let lines = csv.split(whereSeparator: \.isNewline).map { Self.cells($0) }
        let header = lines[0]
        let expected = lines.dropFirst().filter { $0[1] != "funder" }
        let columns = ["income", "redistributed", "redistributed_grant", "redistributed_small_costs", "redistributed_hosted",
                       "redistributed_payment", "retained", "retained_staff", "retained_programme", "retained_overhead",
                       "retained_hosting_fee", "unclassified", "committed", "held"]
        let w = try Warehouse.open(warehouse)
        let rows = try w.query("SELECT period, scope, scope_id, scope_name, \(columns.joined(separator: ", ")), groups_reached, "
                               + "unclassified_in, unclassified_out FROM summary")
        #expect(rows.count == expected.count)
        #expect(rows.count > 2)
        for (row, want) in zip(rows, expected) {
            func cell(_ name: String) -> String { want[header.firstIndex(of: name)!] }
            #expect(row.text(0) == cell("period") && row.text(1) == cell("scope") && row.text(2) == cell("scope_id"))
            #expect(row.text(3) == cell("scope_name"))
            for (i, name) in columns.enumerated() {
                #expect(Self.decimal(row.int(4 + i)) == cell(name), "\(name) of \(row.text(2))")
            }
            #expect(String(row.int(4 + columns.count)) == cell("groups_reached"), "groups_reached of \(row.text(2))")
            #expect(row.int(5 + columns.count) + row.int(6 + columns.count) == row.int(4 + columns.firstIndex(of: "unclassified")!))
        }
        // Money no rule has looked at, in and out apart: the sample's is all out.
        #expect(rows.first.map { $0.int(6 + columns.count) } ?? 0 > 0)
    }
}
