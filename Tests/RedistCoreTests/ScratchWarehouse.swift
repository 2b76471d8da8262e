import Foundation
@testable import RedistCore
import RedistModel

/// A dataset made in a test, with its movements (and the categories the
/// test gives them) stored in a scratch SQLite warehouse, so the shipped
/// measure SQL runs on them as it does on a real run's.
enum ScratchWarehouse {
    static func dataset(pipeline: Pipeline, ledger: [ClassifiedMovement], grantsOut: [StoredGrant] = []) throws -> Dataset {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redist-scratch-\(UUID().uuidString)").path
        let w = try Warehouse(path: dir + "/w.sqlite")
        let gross = ledger.reduce(Int64(0)) { $0 + Int64($1.minorUnits.magnitude) }
        try w.transaction { s in
            try s.execute("""
                INSERT INTO source_file(id, source, role, format, path, sha256, config_hash, bytes, rows_read, rows_loaded,
                  rows_rejected, rows_skipped, amount_read, amount_loaded, amount_rejected, amount_skipped)
                VALUES (1, 'ledger', 'ledger', 'csv', 'ledger.csv', '', '', 0, ?, ?, 0, 0, ?, ?, 0, 0)
                """, [.int(Int64(ledger.count)), .int(Int64(ledger.count)), .int(gross), .int(gross)])
            try s.execute("INSERT INTO account(id, code, name) VALUES (1, '', '')")
            var funds: [String: Int64] = [:], parties: [String: Int64] = [:]
            for (i, c) in ledger.enumerated() {
                let m = c.movement
                if funds[m.fund] == nil {
                    funds[m.fund] = Int64(funds.count + 1)
                    try s.execute("INSERT INTO fund(id, code) VALUES (?, ?)", [.int(funds[m.fund]!), .text(m.fund)])
                }
                let party = m.counterparty + "\u{0}" + m.counterpartyId
                if parties[party] == nil {
                    parties[party] = Int64(parties.count + 1)
                    try s.execute("INSERT INTO counterparty(id, name, org_id) VALUES (?, ?, ?)",
                                  [.int(parties[party]!), .text(m.counterparty), .text(m.counterpartyId)])
                }
                try s.execute("""
                    INSERT INTO movement_row(id, file_id, line, identity, occurrence, date, amount, currency, account_id, fund_id,
                      counterparty_id, description, reference, native_id, kind)
                    VALUES (?, 1, ?, ?, 1, ?, ?, 'GBP', 1, ?, ?, ?, '', '', '')
                    """, [.int(Int64(i + 1)), .int(Int64(i + 2)), .int(Int64(i)), .text(m.date.description), .int(m.amount.minorUnits),
                          .int(funds[m.fund]!), .int(parties[party]!), .text(m.description)])
            }
        }
        if !grantsOut.isEmpty {
            try w.transaction { s in
                try s.execute("""
                    INSERT INTO source_file(id, source, role, format, path, sha256, config_hash, bytes, rows_read, rows_loaded,
                      rows_rejected, rows_skipped, amount_read, amount_loaded, amount_rejected, amount_skipped)
                    VALUES (2, 'register', 'grants-out', '360giving', 'register.csv', '', '', 0, 0, 0, 0, 0, 0, 0, 0, 0)
                    """)
                for (i, stored) in grantsOut.enumerated() {
                    let g = stored.grant
                    try s.execute("""
                        INSERT INTO grant_award(file_id, line, identifier, title, description, amount_awarded, amount_disbursed,
                          currency, award_date, payment_date, recipient_id, recipient_name, funder_id, funder_name, programme, fund,
                          beneficiary_location)
                        VALUES (2, ?, ?, '', '', ?, ?, 'GBP', ?, ?, ?, ?, ?, ?, '', ?, '')
                        """, [.int(Int64(i + 2)), .text(g.identifier), .int(g.amountAwarded.minorUnits),
                              g.amountDisbursed.map { .int($0.minorUnits) } ?? .null, .text(g.awardDate.description),
                              g.paymentDate.map { .text($0.description) } ?? .null, .text(g.recipientId), .text(g.recipientName),
                              .text(g.funderId), .text(g.funderName), .text(g.fund)])
                }
            }
        }
        let register = Warehouse.LoadedFile(id: 2, source: "register", role: "grants-out", format: "360giving", path: "register.csv",
                                            sha256: "", configHash: "", bytes: 0, rowsRead: 0, rowsLoaded: 0, rowsRejected: 0,
                                            rowsSkipped: 0, amountRead: 0, amountLoaded: 0, amountRejected: 0, amountSkipped: 0,
                                            failure: nil)
        let file = Warehouse.LoadedFile(id: 1, source: "ledger", role: "ledger", format: "csv", path: "ledger.csv", sha256: "",
                                        configHash: "", bytes: 0, rowsRead: ledger.count, rowsLoaded: ledger.count, rowsRejected: 0,
                                        rowsSkipped: 0, amountRead: gross, amountLoaded: gross, amountRejected: 0, amountSkipped: 0,
                                        failure: nil)
        let files = grantsOut.isEmpty ? [file] : [file, register]
        try w.prepareLedger(pipeline: pipeline, files: files, members: [])
        // The categories the test gives, in place of what rules would give.
        try w.transaction { s in
            for (i, c) in ledger.enumerated() {
                try s.execute("UPDATE ledger_entry SET category = ?, is_individual = ? WHERE movement_id = ?",
                              [.text(c.category.rawValue), .int(c.isIndividual ? 1 : 0), .int(Int64(i + 1))])
            }
        }
        return Dataset(pipeline: pipeline, ledger: ledger, bank: [], funderMovements: [], grantsIn: [], grantsOut: grantsOut,
                       members: [], balances: [], files: files, findings: [], duplicatesDropped: 0, sql: MeasureSQL(warehouse: w))
    }
}
