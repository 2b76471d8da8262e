import ArgumentParser
import Foundation
import RedistCore
import RedistIngest
import RedistModel
import RedistPipeline
import RedistReports

/// The `redist` command: each pipeline stage is a subcommand.
@main
struct Redist: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redist",
        abstract: "How much of the money that came in reached groups, and how much did we keep?",
        discussion: "Exit status: 0 success; 1 the data has errors (with --strict: any rejected row or unclassified movement); 2 the pipeline file or the command line is wrong.",
        version: RedistVersion.string,
        subcommands: [Run.self, Ingest.self, Check.self, Inspect.self, Init.self, TemplatesCommand.self, BenchIngest.self, FuzzBatch.self])

    /// Help and the version go to stdout (exit 0); mistakes to stderr with
    /// the usage of the subcommand they were made in (exit 2, as for the
    /// pipeline file).
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            finish(error)
        }
        do {
            try command.run()
        } catch let error as ValidationError {
            // Found by a subcommand as it ran: shown with that subcommand's usage, as the parser would.
            let usage = usageString(for: type(of: command))
            FileHandle.standardError.write(Data("Error: \(error.message)\nUsage: \(usage)\n  See '\(commandPath(type(of: command))) --help' for more information.\n".utf8))
            Foundation.exit(2)
        } catch {
            finish(error)
        }
    }

    /// The command line that names a subcommand: `redist templates copy`.
    static func commandPath(_ command: ParsableCommand.Type) -> String {
        func path(_ node: ParsableCommand.Type, _ trail: [String]) -> [String]? {
            let here = trail + [node._commandName]
            if node == command { return here }
            for sub in node.configuration.subcommands { if let p = path(sub, here) { return p } }
            return nil
        }
        return (path(Redist.self, []) ?? ["redist"]).joined(separator: " ")
    }

    static func finish(_ error: Error) -> Never {
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if code == .success {
            // --help, --version, --generate-completion-script: what was asked for, on stdout.
            if !message.isEmpty { print(message) }
            Foundation.exit(0)
        }
        if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        // Usage mistakes are exit status 2, as for the pipeline file.
        if code == .validationFailure { Foundation.exit(2) }
        Foundation.exit(code.rawValue)
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

    @Option(help: "A folder of edited report templates (default: [reports] templates in the pipeline file, else the built-in ones; `redist templates copy DIR` makes one).")
    var templates: String?

    func validate() throws {
        _ = try parsePeriod(period, pipelinePath: options.pipeline)
    }

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
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file without reading any data.",
        discussion: "Besides each key and value, it checks that the settings can work together: every rule can match something, every source matches a file, the templates load and the pseudonym key is set. Exit status 2 when anything is wrong; warnings alone leave it 0.")

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Option(help: "A folder of edited report templates to check (default: [reports] templates in the pipeline file, else the built-in ones).")
    var templates: String?

    func run() throws {
        let outcome = CheckRun.run(pipelinePath: pipeline, templatesDirectory: templates)
        for line in outcome.findings { log(line) }
        for line in outcome.summary { print(line) }
        if outcome.status != 0 { throw ExitCode(outcome.status) }
    }
}
