import ArgumentParser
import Foundation
import RedistCore
import RedistIngest
import RedistModel
import RedistReports

/// The `redist` command: each pipeline stage is a subcommand.
@main
struct Redist: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redist",
        abstract: "How much of the money that came in reached groups, and how much did we keep?",
        discussion: "Exit status: 0 success; 1 the data has errors (with --strict: any rejected row or unclassified movement); 2 the pipeline file or the command line is wrong.",
        version: RedistVersion.string,
        subcommands: [Run.self, Ingest.self, Check.self, Inspect.self, BenchIngest.self, FuzzBatch.self])

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            // Usage mistakes are exit status 2, as for the pipeline file.
            if code == .validationFailure { Foundation.exit(2) }
            Foundation.exit(code.rawValue)
        }
    }
}

enum RedistVersion {
    static let string = "0.1.0"
}

/// Options every stage that reads a pipeline shares.
struct PipelineOptions: ParsableArguments {
    @Argument(help: "The pipeline file (pipelines/*.toml).")
    var pipeline: String

    @Option(help: "The warehouse: a SQLite file, or postgresql://user@host:port/db with the password in PGPASSWORD (default: [warehouse] url in the pipeline file, else build/<pipeline name>.sqlite).")
    var warehouse: String?
}

func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A calendar period, or, with the pipeline file's financial year, one of
/// the financial year's labels (`2023/24`, `2023/24-Q1`, `Q1 2023/24`).
func parsePeriod(_ text: String, pipelinePath: String? = nil) throws -> Period {
    if let p = Period(text) { return p }
    if let path = pipelinePath, let pipeline = try? Pipeline.load(path: path),
       let p = Period(text, financialYear: pipeline.organisation.financialYear) { return p }
    throw ValidationError("\"\(text)\" is not a period: \(Period.expectation)")
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every stage: ingest, classify, compute and write the reports.")

    @OptionGroup var options: PipelineOptions

    @Option(help: "The period: 2023-Q2, 2023, 2023-05, 2023-04-01..2023-06-30, or by the financial year 2023/24 or 2023/24-Q1.")
    var period: String

    @Option(help: "Where the reports go.")
    var out: String = "out"

    @Flag(help: "Fail (exit 1) on any rejected row or unclassified movement.")
    var strict = false

    @Option(help: "The report templates folder (default: reports/templates).")
    var templates: String?

    func run() throws {
        let p = try parsePeriod(period, pipelinePath: options.pipeline)
        let status = PipelineRun.run(RunOptions(pipelinePath: options.pipeline, period: p, outDirectory: out,
                                                warehousePath: options.warehouse, strict: strict, templatesDirectory: templates),
                                     log: log)
        if status != 0 { throw ExitCode(status) }
    }
}

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read every source file into the warehouse (unchanged files are not read again).")

    @OptionGroup var options: PipelineOptions

    func run() throws {
        let pipeline: Pipeline
        do { pipeline = try Pipeline.load(path: options.pipeline) } catch { log("\(error)"); throw ExitCode(2) }
        let report: IngestReport
        let location = options.warehouse ?? pipeline.defaultWarehouse
        var lock: RunLock? = nil
        do {
            // A PostgreSQL warehouse is locked on its server, once open.
            if !PostgresLocation.isURL(location) { lock = try RunLock.warehouse(location) }
        } catch { log("\(error)"); throw ExitCode(1) }
        defer { lock?.release() }
        do {
            let warehouse = try Warehouse.open(location, passwordVariable: pipeline.warehouse.passwordEnv)
            try warehouse.lockForRun()
            report = try IngestStage(pipeline: pipeline, warehouse: warehouse).run(log: log)
        } catch {
            log(Warehouse.damageReason(error) == nil || error is WarehouseError ? "\(error)"
                : "\(location): error: the warehouse is damaged (\(Warehouse.damageReason(error)!)); delete it and run again to rebuild it from the inputs")
            throw ExitCode(1)
        }
        for f in report.filesFailed { log("\(f)") }
        log("files read: \(report.filesRead), unchanged: \(report.filesUnchanged), removed: \(report.filesRemoved)")
        if !report.filesFailed.isEmpty { throw ExitCode(1) }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a pipeline file without reading any data.")

    @Argument(help: "The pipeline file.")
    var pipeline: String

    func run() throws {
        do {
            let p = try Pipeline.load(path: pipeline)
            for s in p.sources {
                let n = Glob.expand(s.path, relativeTo: p.directory).count
                print("source \(s.name) (\(s.format), \(s.role.rawValue)): \(n) file\(n == 1 ? "" : "s")")
                // The pipeline is valid, but its reports would leave this source out.
                if n == 0 { log("\(pipeline):\(s.line): warning: source \"\(s.name)\" matched no file with path \"\(s.path)\"") }
            }
            if let url = p.warehouse.url { print("warehouse: \(url) (password from $\(p.warehouse.passwordEnv))") }
            print("\(p.funds.count) funds, \(p.funders.count) funders, \(p.rules.count) rules: \(pipeline) is valid")
        } catch {
            log("\(error)")
            throw ExitCode(2)
        }
    }
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one file's normalised records as CSV on stdout, and counts on stderr.")

    @OptionGroup var reading: ReaderOptions

    @Argument(help: "The file.")
    var file: String

    func run() throws {
        let instance = try reading.reader()
        let out = FileHandle.standardOutput
        var csv = CSVWriter(streamingHeader: inspectHeader)
        var movements = 0
        let sink = RecordSink { record in
            let row = inspectRows(record)
            guard !row.isEmpty else { return }
            movements += 1
            csv.row(row)
            if csv.bytes.count > 1 << 16 { out.write(Data(csv.take())) }
        }
        do {
            try instance.read(path: file, displayPath: file, into: sink)
        } catch {
            out.write(Data(csv.take()))
            log("\(error)")
            throw ExitCode(1)
        }
        out.write(Data(csv.take()))
        for d in sink.diagnostics where d.severity != .note { log(d.rendered) }
        log("\(file): rows read \(sink.rowsRead), loaded \(sink.rowsLoaded), rejected \(sink.rowsRejected), skipped \(sink.rowsSkipped); money movements \(movements)")
        if sink.rowsRejected > 0 { throw ExitCode(1) }
    }
}

