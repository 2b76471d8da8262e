import Foundation
@testable import RedistCore
import RedistModel

/// A dataset made in a test, with its movements (and the categories the
/// test gives them) stored in a scratch SQLite warehouse, so the shipped
/// measure SQL runs on them as it does on a real run's.
enum ScratchWarehouse {
    static func dataset(pipeline: Pipeline, ledger: [ClassifiedMovement], bank: [ClassifiedMovement] = [],
                        funder: [ClassifiedMovement] = [], grantsIn: [StoredGrant] = [], grantsOut: [StoredGrant] = []) throws -> Dataset {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redist-scratch-\(UUID().uuidString)").path
        let w = try Warehouse(path: dir + "/w.sqlite")
        let movements = ledger + bank + funder
        // One file per source, role and file the movements name, in the order first named.
        struct FileKey: Hashable { var source: String; var role: String; var path: String }
        var fileKeys: [FileKey] = []
        for c in movements {
            let k = FileKey(source: c.source, role: c.role, path: c.movement.location.file)
            if !fileKeys.contains(k) { fileKeys.append(k) }
        }
        var files: [Warehouse.LoadedFile] = []
        for (n, k) in fileKeys.enumerated() {
            let mine = movements.filter { FileKey(source: $0.source, role: $0.role, path: $0.movement.location.file) == k }
            let gross = mine.reduce(Int64(0)) { $0 + Int64($1.minorUnits.magnitude) }
            files.append(Warehouse.LoadedFile(id: Int64(n + 1), source: k.source, role: k.role, format: "csv", path: k.path, sha256: "",
                                              configHash: "", bytes: 0, rowsRead: mine.count, rowsLoaded: mine.count, rowsRejected: 0,
                                              rowsSkipped: 0, amountRead: gross, amountLoaded: gross, amountRejected: 0, amountSkipped: 0,
                                              failure: nil))
        }
        try w.transaction { s in
            for f in files {
                try s.execute("""
                    INSERT INTO source_file(id, source, role, format, path, sha256, config_hash, bytes, rows_read, rows_loaded,
                      rows_rejected, rows_skipped, amount_read, amount_loaded, amount_rejected, amount_skipped)
                    VALUES (?, ?, ?, 'csv', ?, '', '', 0, ?, ?, 0, 0, ?, ?, 0, 0)
                    """, [.int(f.id), .text(f.source), .text(f.role), .text(f.path), .int(Int64(f.rowsRead)), .int(Int64(f.rowsLoaded)),
                          .int(f.amountRead), .int(f.amountLoaded)])
            }
            var accounts: [String: Int64] = [:], funds: [String: Int64] = [:], parties: [String: Int64] = [:]
            for (i, c) in movements.enumerated() {
                let m = c.movement
                let account = m.account + "\u{0}" + m.accountName
                if accounts[account] == nil {
                    accounts[account] = Int64(accounts.count + 1)
                    try s.execute("INSERT INTO account(id, code, name) VALUES (?, ?, ?)", [.int(accounts[account]!), .text(m.account), .text(m.accountName)])
                }
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
                let file = files[fileKeys.firstIndex(of: FileKey(source: c.source, role: c.role, path: m.location.file))!]
                try s.execute("""
                    INSERT INTO movement_row(id, file_id, line, identity, occurrence, date, amount, currency, account_id, fund_id,
                      counterparty_id, description, reference, native_id, kind)
                    VALUES (?, ?, ?, ?, 1, ?, ?, 'GBP', ?, ?, ?, ?, ?, ?, ?)
                    """, [.int(Int64(i + 1)), .int(file.id), .int(Int64(m.location.line)), .int(Int64(i)), .text(m.date.description),
                          .int(m.amount.minorUnits), .int(accounts[account]!), .int(funds[m.fund]!), .int(parties[party]!),
                          .text(m.description), .text(m.reference), .text(m.nativeId), .text(m.kind)])
            }
        }
        let grants = grantsIn + grantsOut
        if !grants.isEmpty {
            try w.transaction { s in
                for (n, source) in [(SourceRoleName.grantsIn, "funders"), (SourceRoleName.grantsOut, "register")].enumerated() {
                    try s.execute("""
                        INSERT INTO source_file(id, source, role, format, path, sha256, config_hash, bytes, rows_read, rows_loaded,
                          rows_rejected, rows_skipped, amount_read, amount_loaded, amount_rejected, amount_skipped)
                        VALUES (?, ?, ?, '360giving', ?, '', '', 0, 0, 0, 0, 0, 0, 0, 0, 0)
                        """, [.int(Int64(1000 + n)), .text(source.1), .text(source.0), .text(source.1 + ".csv")])
                }
                for (i, stored) in grants.enumerated() {
                    let g = stored.grant
                    try s.execute("""
                        INSERT INTO grant_award(file_id, line, identifier, title, description, amount_awarded, amount_disbursed,
                          currency, award_date, payment_date, recipient_id, recipient_name, funder_id, funder_name, programme, fund,
                          beneficiary_location)
                        VALUES (?, ?, ?, '', '', ?, ?, 'GBP', ?, ?, ?, ?, ?, ?, '', ?, '')
                        """, [.int(stored.role == SourceRoleName.grantsIn ? 1000 : 1001), .int(Int64(i + 2)), .text(g.identifier),
                              .int(g.amountAwarded.minorUnits), g.amountDisbursed.map { .int($0.minorUnits) } ?? .null,
                              .text(g.awardDate.description), g.paymentDate.map { .text($0.description) } ?? .null,
                              .text(g.recipientId), .text(g.recipientName), .text(g.funderId), .text(g.funderName), .text(g.fund)])
                }
            }
        }
        if !grants.isEmpty {
            for (n, source) in [(SourceRoleName.grantsIn, "funders"), (SourceRoleName.grantsOut, "register")].enumerated() {
                files.append(Warehouse.LoadedFile(id: Int64(1000 + n), source: source.1, role: source.0, format: "360giving",
                                                  path: source.1 + ".csv", sha256: "", configHash: "", bytes: 0, rowsRead: 0,
                                                  rowsLoaded: 0, rowsRejected: 0, rowsSkipped: 0, amountRead: 0, amountLoaded: 0,
                                                  amountRejected: 0, amountSkipped: 0, failure: nil))
            }
        }
        try w.prepareLedger(pipeline: pipeline, files: files, members: [])
        // The categories the test gives, in place of what rules would give.
        try w.transaction { s in
            for (i, c) in movements.enumerated() {
                try s.execute("UPDATE ledger_entry SET category = ?, is_individual = ? WHERE movement_id = ?",
                              [.text(c.category.rawValue), .int(c.isIndividual ? 1 : 0), .int(Int64(i + 1))])
            }
        }
        return try Dataset(pipeline: pipeline, grantsIn: grantsIn, grantsOut: grantsOut, members: [], balances: [], files: files,
                           findings: [], duplicatesDropped: 0, grossTotal: 0, warehouse: w)
    }
}
