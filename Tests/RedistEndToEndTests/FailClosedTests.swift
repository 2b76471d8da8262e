import Foundation
import RedistModel
@testable import RedistReports
import Testing
import ZIPFoundation
#if canImport(Glibc)
import Glibc
#endif

/// The sample pipeline copied into a scratch folder, so its inputs can be
/// damaged without touching the repository's.
struct SampleCopy {
    let dir: String
    var pipeline: String { dir + "/pipelines/example.toml" }
    var data: String { dir + "/sample-data" }
    var warehouse: String { dir + "/w.sqlite" }
    var out: String { dir + "/out" }

    init(_ name: String = #function) throws {
        dir = temporaryDirectory(name)
        try FileManager.default.createDirectory(atPath: dir + "/pipelines", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repo.examplePipeline, toPath: pipeline)
        try FileManager.default.copyItem(atPath: Repo.root + "/sample-data", toPath: data)
    }

    func run(period: String = "2024-Q1", out: String? = nil, strict: Bool = false, templates: String = Repo.templates) -> (status: Int32, log: [String]) {
        runPipeline(pipeline, period: period, out: out ?? self.out, warehouse: warehouse, strict: strict, templates: templates)
    }

    /// Replaces text in one of the copied inputs.
    func edit(_ file: String, _ change: (String) -> String) throws {
        let path = data + "/" + file
        try change(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The names of the people in the member register.
    var people: [String] {
        parseCSV(Repo.root + "/sample-data/members.csv").filter { $0.count > 2 && $0[2] == "individual" }.map { $0[1] }
    }
}

/// Every file under a folder, zip entries included, as (name, text).
func everyOutput(under root: String) throws -> [(String, String)] {
    var files: [(String, String)] = []
    guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
    while let name = enumerator.nextObject() as? String {
        let path = root + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
        if name.hasSuffix(".zip") {
            let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
            for entry in archive {
                var data = Data()
                _ = try archive.extract(entry) { data.append($0) }
                files.append((name + "!" + entry.path, String(decoding: data, as: UTF8.self)))
            }
        } else {
            files.append((name, text(path)))
        }
    }
    return files
}

func sqlite(_ database: String, _ sql: String) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["sqlite3", database, sql]
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "sqlite3 \(sql)")
}

/// A damaged warehouse is found before any figure is read from it: it is
/// rebuilt from the inputs (the same figures) or the run stops naming it.
@Suite(.serialized) struct WarehouseDamageTests {
    /// A first run, then the damage, then a second run into a new folder.
    func damaged(_ name: String = #function, _ damage: (String) throws -> Void) throws -> (first: SampleCopy, status: Int32, log: [String]) {
        let copy = try SampleCopy(name)
        let first = copy.run()
        #expect(first.status == 0, "\(first.log)")
        try damage(copy.warehouse)
        let second = copy.run(out: copy.dir + "/again")
        return (copy, second.status, second.log)
    }

    func expectSameFiguresOrRefused(_ r: (first: SampleCopy, status: Int32, log: [String])) {
        if r.status == 0 {
            for name in ["summary.csv", "transactions.csv", "trustees.html", "evidence/tidewater-foundation/flows.csv"] {
                #expect(read(r.first.out + "/" + name) == read(r.first.dir + "/again/" + name), "\(name) differs after the damage, with exit 0")
            }
        } else {
            #expect(r.status == 1)
            #expect(r.log.contains { $0.hasPrefix(r.first.warehouse) || $0.contains(" " + r.first.warehouse) }, "\(r.log)")
        }
    }

    @Test func bytesOverwrittenInTheMiddleAreFoundAndRebuilt() throws {
        let r = try damaged { path in
            var bytes = read(path)
            let start = bytes.count / 4
            for i in start..<(start + bytes.count / 2) { bytes[i] = UInt8(truncatingIfNeeded: i &* 31) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        #expect(r.log.contains { $0.contains("warning: the warehouse is damaged") }, "\(r.log)")
        #expect(r.status == 0)
        expectSameFiguresOrRefused(r)
    }

    @Test func aTruncatedWarehouseIsFoundAndRebuilt() throws {
        let r = try damaged { path in
            let bytes = read(path)
            try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: path))
        }
        #expect(r.log.contains { $0.contains("the warehouse is damaged") }, "\(r.log)")
        expectSameFiguresOrRefused(r)
    }

    @Test func rowsDeletedBehindTheLoadersBackFailTheRun() throws {
        let r = try damaged { path in
            try sqlite(path, "DELETE FROM movement_row WHERE id IN (SELECT id FROM movement_row ORDER BY id LIMIT 3)")
        }
        #expect(r.status == 1, "\(r.log)")
        #expect(r.log.contains { $0.contains(": error: the warehouse \(r.first.warehouse) does not hold what was loaded from this file") }, "\(r.log)")
        #expect(!FileManager.default.fileExists(atPath: r.first.dir + "/again/summary.csv"))
    }

    @Test func anAmountChangedBehindTheLoadersBackFailsTheRun() throws {
        let r = try damaged { path in try sqlite(path, "UPDATE movement_row SET amount = amount + 100 WHERE id = 7") }
        #expect(r.status == 1, "\(r.log)")
        #expect(r.log.contains { $0.contains("does not hold what was loaded from this file") })
    }

    @Test func aDateThatIsNotADateIsDamageNotACrash() throws {
        let r = try damaged { path in try sqlite(path, "UPDATE movement_row SET date = 'garbage' WHERE id = 7") }
        #expect(r.log.contains { $0.contains("the warehouse is damaged") && $0.contains("garbage") }, "\(r.log)")
        expectSameFiguresOrRefused(r)
    }

    @Test func aWarehouseFromANewerVersionIsRefusedNotDropped() throws {
        let r = try damaged { path in try sqlite(path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'") }
        #expect(r.status == 1)
        #expect(r.log.contains("\(r.first.warehouse): error: the warehouse was made by a newer redist (schema 99; this one reads schema 14): run that version, or give another --warehouse"), "\(r.log)")
        // Kept as it was: not dropped and rebuilt.
        let again = r.first.run(out: r.first.dir + "/third")
        #expect(again.status == 1)
    }
}

/// Sums past 64 bits are a data error naming the file, never a trap, and
/// nothing of it stays in the warehouse to break the next run.
@Suite struct OverflowTests {
    @Test func amountsTooLargeToAddUpStopTheRunNamingTheFile() throws {
        let dir = temporaryDirectory()
        try """
        [organisation]
        id = "GB-CHC-1"
        name = "Test"

        [[source]]
        name = "a"
        role = "ledger"
        format = "csv"
        path = "*.csv"
        [source.columns]
        date = "Date"
        description = "Details"
        amount = "Amount"
        [source.options]
        date_format = "dd/mm/yyyy"
        """.write(toFile: dir + "/pipeline.toml", atomically: true, encoding: .utf8)
        try "Date,Details,Amount\n01/02/2024,Big,92233720368547758.07\n".write(toFile: dir + "/a.csv", atomically: true, encoding: .utf8)
        try "Date,Details,Amount\n02/02/2024,Big,92233720368547758.07\n".write(toFile: dir + "/b.csv", atomically: true, encoding: .utf8)
        for _ in 0..<2 {
            let run = runPipeline(dir + "/pipeline.toml", period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
            // Should the readers come to bound single amounts below this,
            // the rows are rejected at ingest instead: still no trap, and no figure holds them.
            if run.log.contains(where: { $0.contains("error: \"92233720368547758.07\"") || $0.contains("a.csv:2:") }) {
                #expect(!text(dir + "/out/summary.csv").contains("92233720368547758"))
                continue
            }
            #expect(run.status == 1, "\(run.log)")
            #expect(run.log.contains { $0.contains("a.csv: error: the amounts of this file take the total of all amounts") }, "\(run.log)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        }
    }

    /// Right at the limit every report is still written: the sums, rates,
    /// charts and sentences do their arithmetic without overflowing.
    @Test func amountsUpToTheLimitAreReported() throws {
        let dir = temporaryDirectory()
        try """
        [organisation]
        id = "GB-CHC-1"
        name = "Test"

        [[source]]
        name = "a"
        role = "ledger"
        format = "csv"
        path = "a.csv"
        [source.columns]
        date = "Date"
        description = "Details"
        account = "Account"
        amount = "Amount"
        [source.options]
        date_format = "dd/mm/yyyy"

        [[rule]]
        account = "5000"
        category = "redistributed.grant"

        [[rule]]
        account = "6000"
        category = "retained.staff"

        [[rule]]
        account = "4000"
        category = "income.donation"
        """.write(toFile: dir + "/pipeline.toml", atomically: true, encoding: .utf8)
        // The magnitudes add up to 5764607523034234.87 exactly: Warehouse.grossLimit.
        try """
        Date,Details,Account,Amount
        01/02/2024,In,4000,2882303761517117.43
        02/02/2024,Grant,5000,-1441151880758558.72
        03/02/2024,Staff,6000,-1441151880758558.71
        04/02/2024,Other,7000,-0.01

        """.write(toFile: dir + "/a.csv", atomically: true, encoding: .utf8)
        let run = runPipeline(dir + "/pipeline.toml", period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
        #expect(run.status == 0, "\(run.log)")
        // (Should the readers come to bound single amounts below these, the rows are rejected and there is nothing to add up.)
        if !run.log.contains(where: { $0.contains("a.csv:2:") }) {
            #expect(text(dir + "/out/summary.csv").contains("2882303761517117.43"))
            #expect(text(dir + "/out/trustees.html").contains("50%"))
        }
    }

    @Test func pencePerPoundOfHugeSumsDoesNotTrap() {
        #expect(Rounding.scaledHalfUp(Int64.max / 2, by: 100, Int64.max) == 50)
        #expect(Rounding.scaledHalfUp(-3, by: 100, 8) == -38)
        #expect(Rounding.scaledHalfUp(0, by: 100, -8) == 0)
    }
}

/// Privacy fails closed: without the whole member register no report or
/// pack is written, so no one is named who should not be.
@Suite(.serialized) struct MemberRegisterPrivacyTests {
    /// A good run, then the register broken, then a run into the same folder.
    func check(_ name: String = #function, expect message: String, _ breakRegister: (SampleCopy) throws -> Void) throws {
        let copy = try SampleCopy(name)
        #expect(copy.run().status == 0)
        try breakRegister(copy)
        let run = copy.run()
        #expect(run.status == 1, "\(run.log)")
        #expect(run.log.contains { $0.contains(message) }, "\(run.log)")
        #expect(!run.log.contains { $0.hasPrefix("wrote ") })
        // Whatever is in the folder (the good run's output) names no one.
        let outputs = try everyOutput(under: copy.out) + everyOutput(under: copy.dir + "/never")
        #expect(outputs.count > 10)
        for (file, content) in outputs {
            for person in copy.people {
                #expect(!content.contains(person), "\(person) is named in \(file)")
            }
        }
        // And a first run into a new folder writes nothing at all.
        let fresh = copy.run(out: copy.dir + "/never")
        #expect(fresh.status == 1)
        #expect(!FileManager.default.fileExists(atPath: copy.dir + "/never"))
    }

    @Test func aRejectedRegisterRowStopsTheRun() throws {
        // The person's kind no longer reads: before, they became an unknown counterparty, named.
        try check(expect: "members.csv: error: 1 row of the member register was rejected (line ") { copy in
            let person = copy.people[0]
            try copy.edit("members.csv") { text in
                text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                    line.contains(person) ? line.replacingOccurrences(of: ",individual,", with: ",indivdual,") : String(line)
                }.joined(separator: "\n")
            }
        }
    }

    @Test func anEmptyRegisterStopsTheRun() throws {
        try check(expect: "members.csv: error: the member register has no rows") { copy in
            try copy.edit("members.csv") { text in String(text.split(separator: "\n")[0]) + "\n" }
        }
    }

    @Test func anUnreadableRegisterStopsTheRun() throws {
        try check(expect: "members.csv: error: the member register could not be read") { copy in
            try copy.edit("members.csv") { text in "nothing,here\n" + text }
        }
    }

    @Test func aMissingRegisterStopsTheRun() throws {
        try check(expect: "error: the member register \"members\" matched no file") { copy in
            try FileManager.default.removeItem(atPath: copy.data + "/members.csv")
        }
    }
}

/// Shared reports never quote a rejected row's cells; quality.csv may.
@Suite struct RawCellTests {
    @Test func aNameInARejectedCellIsNotInTheTrusteesReport() throws {
        let copy = try SampleCopy()
        let person = copy.people[0]
        try copy.edit("exports/cashbook-2023-Q3.csv") { text in
            // A stray CR split a row: the second part starts with a person's name where the date belongs.
            text.replacingOccurrences(of: "03/07/2023,7010,IT and software,GEN,Brightline IT Services,IT support contract July 2023",
                                      with: "03/07/2023,7010,IT and software,GEN,Brightline IT Services,IT support\r\n\(person),7010,IT and software,GEN,Brightline IT Services,contract July 2023")
        }
        let run = copy.run()
        #expect(run.status == 0, "\(run.log)")
        #expect(text(copy.out + "/quality.csv").contains(person), "the fixture did not reject the row")
        for (file, content) in try everyOutput(under: copy.out) where file != "quality.csv" {
            #expect(!content.contains(person), "\(person) is quoted in \(file)")
        }
        #expect(text(copy.out + "/trustees.html").contains("A row was rejected: "))
    }
}

/// An output folder is always one run's whole output; runs do not collide.
@Suite(.serialized) struct OutputFolderTests {
    @Test func aRunThatFailsPartWayLeavesTheLastOutputWhole() throws {
        let copy = try SampleCopy()
        #expect(copy.run().status == 0)
        let before = try everyOutput(under: copy.out)
        // Templates that fail at the trustees' report, after the CSVs are
        // written: a chart's words without the line for its title.
        let templates = copy.dir + "/templates"
        try FileManager.default.copyItem(atPath: Repo.templates, toPath: templates)
        try copy.edit("../templates/chart-where.mustache") { text in
            text.split(separator: "\n").filter { !$0.hasPrefix("title:") }.joined(separator: "\n") + "\n"
        }
        try copy.edit("exports/xero-2024-Q1.csv") { $0 + "\n" }  // a change, so the run is not replayed
        let run = copy.run(templates: templates)
        // A template without a line it needs is the configuration's mistake: exit status 2.
        #expect(run.status == 2, "\(run.log)")
        let after = try everyOutput(under: copy.out)
        #expect(after.map(\.0) == before.map(\.0))
        #expect(after.map(\.1) == before.map(\.1), "the folder is not the last run's output")
        let leftovers = (try FileManager.default.subpathsOfDirectory(atPath: copy.dir)).filter { $0.hasSuffix(".partial") || $0.contains(".partial/") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func aSecondRunOnTheSameWarehouseIsRefused() throws {
        let copy = try SampleCopy()
        let fd = open(copy.warehouse + ".lock", O_RDWR | O_CREAT, 0o644)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        let run = copy.run()
        #expect(run.status == 1)
        #expect(run.log == ["\(copy.warehouse): error: another redist run is using this warehouse (it holds \(copy.warehouse).lock); wait for it to finish, then run again"])
    }

    @Test func aSecondRunIntoTheSameFolderIsRefused() throws {
        let copy = try SampleCopy()
        let lock = copy.dir + "/.out.lock"
        let fd = open(lock, O_RDWR | O_CREAT, 0o644)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        let run = runPipeline(copy.pipeline, period: "2024-Q1", out: copy.out, warehouse: copy.dir + "/other.sqlite")
        #expect(run.status == 1)
        #expect(run.log.first?.contains("another redist run is using this output folder") == true, "\(run.log)")
    }

    @Test func aFolderThatCannotBeMadeIsNamedWithTheReason() throws {
        let copy = try SampleCopy()
        try "not a folder".write(toFile: copy.dir + "/file", atomically: true, encoding: .utf8)
        let run = copy.run(out: copy.dir + "/file/out")
        #expect(run.status == 1)
        #expect(run.log.contains("\(copy.dir)/file: error: cannot write (it is a file, not a folder)"), "\(run.log)")
    }

    @Test func aFullDiskIsNamedWithTheReason() throws {
        #expect(throws: OutputError.self) { try OutputFile.writeAll([1, 2, 3], to: "/dev/full") }
        do { try OutputFile.writeAll(Array(repeating: 0, count: 1 << 16), to: "/dev/full") } catch {
            #expect("\(error)" == "/dev/full: error: cannot write (No space left on device)")
        }
    }

    @Test func aFolderWithSomeoneElsesFilesIsNotReplaced() throws {
        let copy = try SampleCopy()
        try FileManager.default.createDirectory(atPath: copy.out, withIntermediateDirectories: true)
        try "mine".write(toFile: copy.out + "/notes.txt", atomically: true, encoding: .utf8)
        let run = copy.run()
        #expect(run.status == 1)
        #expect(text(copy.out + "/notes.txt") == "mine")
        #expect(run.log.contains { $0.contains("it holds files redist did not write (notes.txt)") }, "\(run.log)")
    }
}

/// A source that matched no file, or could not be read, is said to be so.
@Suite struct UnreadSourceTests {
    @Test func aSourceWithNoFileIsNamedAndStrictFails() throws {
        let copy = try SampleCopy()
        try FileManager.default.removeItem(atPath: copy.data + "/bank/statement-2024-Q1.xml")
        let run = copy.run()
        #expect(run.status == 0, "\(run.log)")
        let quality = parseCSV(copy.out + "/quality.csv")
        #expect(quality.contains { $0.count > 5 && $0[4] == "source.no-file" && $0[0] == "bank" && $0[3] == "warning" })
        let html = text(copy.out + "/trustees.html")
        #expect(html.contains("1 source of records had no file to read"))
        #expect(html.contains("Some of our records could not be read</strong> (bank)"))
        #expect(!html.contains("Every row of every export was read"))
        let strict = copy.run(out: copy.dir + "/strict", strict: true)
        #expect(strict.status == 1)
        #expect(strict.log.contains { $0.contains("1 sources with no file") })
    }

    @Test func aRefusedGrantsRegisterStatesNoFactsFromIt() throws {
        let copy = try SampleCopy()
        // Before: "Every grant we have promised has been paid" and "No grant from our register was paid".
        try copy.edit("grants-out.csv") { text in "garbage\n" }
        let run = copy.run()
        #expect(run.status == 1, "\(run.log)")
        let html = text(copy.out + "/trustees.html")
        #expect(!html.contains("Every grant we have promised has been paid"))
        #expect(!html.contains("No grant from our register was paid"))
        #expect(html.contains("Our grants register could not be read, so we cannot say what we have promised"))
        #expect(html.contains("Our grants register could not be read, so there is no time-to-money figure"))
        let pack = text(copy.out + "/evidence/tidewater-foundation/index.html")
        #expect(!pack.contains("Nothing we have promised from your funds is waiting to be paid"))
        #expect(!pack.contains("No grant from your funds was paid"))
        #expect(pack.contains("Our grants register could not be read, so we cannot say what we have promised from your funds"))
        #expect(pack.contains("Some of our records could not be read</strong> (grants-out)"))
    }

    @Test func anUnreadLedgerStatesNoFiguresAsFacts() throws {
        let copy = try SampleCopy()
        try copy.edit("exports/xero-2024-Q1.csv") { _ in "garbage\n" }
        let run = copy.run()
        #expect(run.status == 1, "\(run.log)")
        let html = text(copy.out + "/trustees.html")
        #expect(html.contains("Our accounts could not all be read (xero), so this report cannot say how much came in this quarter"))
        #expect(!html.contains("We passed "))
        #expect(!html.contains("At the end of the quarter we held"))
        #expect(html.contains("we cannot say what we held at the end of the quarter"))
        let pack = text(copy.out + "/evidence/tidewater-foundation/index.html")
        #expect(pack.contains("Our accounts could not all be read (xero), so this pack cannot yet say what you paid us"))
        #expect(!pack.contains("You paid us "))
    }

    @Test func aBankBalanceThatDoesNotAddUpIsExitOne() throws {
        let copy = try SampleCopy()
        try copy.edit("bank/statement-2024-Q1.xml") { $0.replacingOccurrences(of: "<Amt Ccy=\"GBP\">45879.44</Amt>", with: "<Amt Ccy=\"GBP\">45879.45</Amt>") }
        let run = copy.run()
        #expect(run.status == 1, "\(run.log)")
        #expect(parseCSV(copy.out + "/quality.csv").contains { $0.count > 4 && $0[4] == "bank.balance" && $0[3] == "error" })
        #expect(FileManager.default.fileExists(atPath: copy.out + "/trustees.html"))
    }
}

/// `redist check`, run as staff run it.
@Suite struct CheckCommandTests {
    static let binary = Repo.root + "/.build/debug/redist"

    func check(_ pipeline: String) throws -> (status: Int32, stderr: String)? {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            print("skipped: no built redist at \(Self.binary)")
            return nil
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["check", pipeline]
        p.environment = ProcessInfo.processInfo.environment.merging(["REDIST_PSEUDONYM_KEY": "check-test-key"]) { $1 }
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func checkSaysWhichSourceHasNoFile() throws {
        let copy = try SampleCopy()
        try FileManager.default.removeItem(atPath: copy.data + "/grants-out.csv")
        guard let r = try check(copy.pipeline) else { return }
        #expect(r.status == 0)
        #expect(r.stderr.contains("example.toml:89: warning: source \"grants-out\" matched no file with path \"../sample-data/grants-out.csv\""), "\(r.stderr)")
    }

    @Test func checkRefusesTwoFundersWithOneId() throws {
        let copy = try SampleCopy()
        let text = try String(contentsOfFile: copy.pipeline, encoding: .utf8)
        try (text + "\n[[funder]]\nid = \"GB-CHC-9990201\"\nname = \"Another Trust\"\n").write(toFile: copy.pipeline, atomically: true, encoding: .utf8)
        guard let r = try check(copy.pipeline) else { return }
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: two funders have the id \"GB-CHC-9990201\""), "\(r.stderr)")
    }
}
