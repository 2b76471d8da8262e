import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// What a reader made of one file, for every reader's tests.
struct ReaderOutcome {
    var records: [SourceRecord]
    var sink: RecordSink
    var failure: FileFailure?

    var movements: [Movement] { records.compactMap { if case .movement(let m) = $0 { m } else { nil } } }
    var grants: [GrantRecord] { records.compactMap { if case .grant(let g) = $0 { g } else { nil } } }
    var members: [MemberRecord] { records.compactMap { if case .member(let m) = $0 { m } else { nil } } }
    var balances: [StatementBalance] { records.compactMap { if case .balance(let b) = $0 { b } else { nil } } }
    func findings(_ check: Check) -> [Diagnostic] { sink.diagnostics.filter { $0.check == check } }
    func diagnostics(_ check: Check) -> [Diagnostic] { findings(check) }
    var errors: [String] { sink.diagnostics.filter { $0.severity == .error }.map(\.rendered) }

    /// Control totals hold: every row read was loaded, rejected or skipped, and the same for money.
    var totalsBalance: Bool {
        sink.rowsRead == sink.rowsLoaded + sink.rowsRejected + sink.rowsSkipped
            && sink.amountRead == sink.amountLoaded + sink.amountRejected + sink.amountSkipped
    }

    /// Two reads of the same file gave the same records (lines and paths
    /// included), findings, failure and control totals; `ways` names them.
    static func expectSame(_ a: ReaderOutcome, _ b: ReaderOutcome, _ name: String, ways: (String, String)) {
        #expect(a.records.count == b.records.count, "\(name): \(a.records.count) records \(ways.0), \(b.records.count) \(ways.1)")
        for (x, y) in zip(a.records, b.records) where x != y {
            Issue.record("\(name): \(x) \(ways.0), \(y) \(ways.1)")
            break
        }
        #expect(a.sink.diagnostics.map(\.rendered) == b.sink.diagnostics.map(\.rendered), "\(name): findings differ")
        #expect(a.failure?.description == b.failure?.description, "\(name): \(String(describing: a.failure)) / \(String(describing: b.failure))")
        #expect(a.sink.rowsRead == b.sink.rowsRead && a.sink.rowsRejected == b.sink.rowsRejected
                && a.sink.rowsSkipped == b.sink.rowsSkipped && a.sink.amountRead == b.sink.amountRead && b.totalsBalance,
                "\(name): control totals differ")
    }

    /// Reads `path` with `reader`, keeping every record and the failure, if any.
    static func read(_ reader: some SourceReader, _ path: String, display: String? = nil) -> ReaderOutcome {
        var records: [SourceRecord] = []
        let sink = RecordSink { records.append($0) }
        var failure: FileFailure? = nil
        do {
            try reader.read(path: path, displayPath: display ?? (path as NSString).lastPathComponent, into: sink)
        } catch let f as FileFailure {
            failure = f
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return ReaderOutcome(records: records, sink: sink, failure: failure)
    }

    /// Writes bytes to a new file in a fresh temporary folder named with `prefix`.
    static func temporaryFile(prefix: String, _ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}
