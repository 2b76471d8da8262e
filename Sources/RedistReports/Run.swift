import Foundation
import RedistCore
import RedistIngest
import RedistModel

/// What `redist run` is asked to do.
public struct RunOptions: Sendable {
    public var pipelinePath: String
    public var period: Period
    public var outDirectory: String
    public var warehousePath: String?
    public var strict: Bool
    public var templatesDirectory: String?
    public var environment: [String: String]

    public init(pipelinePath: String, period: Period, outDirectory: String, warehousePath: String? = nil, strict: Bool = false,
                templatesDirectory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.pipelinePath = pipelinePath
        self.period = period
        self.outDirectory = outDirectory
        self.warehousePath = warehousePath
        self.strict = strict
        self.templatesDirectory = templatesDirectory
        self.environment = environment
    }
}

/// The state the stages hand on to each other.
public final class RunContext {
    public let options: RunOptions
    public var pipeline: Pipeline!
    public var warehouse: Warehouse!
    public var pseudonymiser: Pseudonymiser!
    public var ingest = IngestReport()
    public var data: Dataset!
    public var summary: [ScopeMeasures] = []
    /// Every reconciliation row over all the data; the outputs show the period's.
    public var reconciliation: [ReconciliationRow] = []
    public var quality: [QualityRow] = []
    public var written: [String] = []
    /// Lines for stderr, compiler style.
    public var messages: [String] = []
    /// With `REDIST_TIMINGS` set: each step's wall time, written to stderr
    /// as it ends (never into an output or the run stamp's messages).
    let timings: Bool
    private var mark = ContinuousClock.now

    /// Says how long the step since the last mark took, when asked to.
    func timed(_ step: String) {
        guard timings else { return }
        let now = ContinuousClock.now
        let ms = (now - mark) / .milliseconds(1)
        FileHandle.standardError.write(Data("time: \(step) \(Int(ms.rounded())) ms\n".utf8))
        mark = now
    }

    init(options: RunOptions) {
        self.options = options
        timings = options.environment["REDIST_TIMINGS"].map { !$0.isEmpty } ?? false
    }
}

/// One named step of the pipeline.
public struct Stage: Sendable {
    public var name: String
    public var body: @Sendable (RunContext) throws -> Void
}

/// The whole pipeline as a list of stages, read top to bottom:
/// ingest → normalise and classify → compute → render.
public enum PipelineRun {
    public static let stages: [Stage] = [
        Stage(name: "ingest") { ctx in
            ctx.ingest = try IngestStage(pipeline: ctx.pipeline, warehouse: ctx.warehouse).run()
        },
        Stage(name: "normalise and classify") { ctx in
            ctx.data = try Dataset.load(pipeline: ctx.pipeline, warehouse: ctx.warehouse)
        },
        Stage(name: "reconcile") { ctx in
            ctx.reconciliation = Reconciler(data: ctx.data).all()
        },
        Stage(name: "compute") { ctx in
            let engine = MeasureEngine(data: ctx.data)
            ctx.summary = engine.summary(for: ctx.options.period)
            let recon = ReconciliationCSV.inPeriod(ctx.reconciliation, ctx.options.period)
            ctx.quality = QualityCSV.rows(ctx.data, period: ctx.options.period, extra: ReconciliationCSV.qualityRows(
                recon, tolerance: ctx.pipeline.reconciliation.tolerance, currency: ctx.pipeline.organisation.currency))
        },
        Stage(name: "render") { ctx in
            let out = ctx.options.outDirectory
            let period = ctx.options.period
            let templates = try Templates.load(directory: ctx.options.templatesDirectory)
            let recon = ReconciliationCSV.inPeriod(ctx.reconciliation, period)
            // The funders' evidence packs are independent of the other outputs:
            // they are written on a second core while those are.
            let data = ctx.data!, pseudonymiser = ctx.pseudonymiser!
            // Each thread then makes only folders of its own inside this one.
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let packs = ConcurrentJob { () throws -> [String] in
                var written: [String] = []
                let engine = MeasureEngine(data: data)
                for funder in engine.fundersWithFlows(period) {
                    let evidence = engine.evidence(for: funder, period: period, reconciliation: recon)
                    let pack = EvidencePack(evidence: evidence, data: data, pseudonymiser: pseudonymiser)
                    written += try pack.write(to: out + "/evidence", templates: templates)
                }
                return written
            }
            do {
                try renderReports(ctx, templates: templates, reconciliation: recon)
            } catch {
                _ = try? packs.wait()  // never leave a pack half written behind a failure
                throw error
            }
            ctx.written += try packs.wait()
            ctx.timed("render: waiting for the evidence packs")
        },
    ]

    /// Every output but the evidence packs.
    static func renderReports(_ ctx: RunContext, templates: Templates, reconciliation recon: [ReconciliationRow]) throws {
        let out = ctx.options.outDirectory
        let period = ctx.options.period
        try OutputFile.write(SummaryCSV.render(ctx.summary), to: out + "/summary.csv")
        try TransactionsCSV.write(ctx.data.ledger, period: period, pseudonymiser: ctx.pseudonymiser, to: out + "/transactions.csv")
        ctx.timed("render: summary.csv and transactions.csv")
        try OutputFile.write(QualityCSV.render(ctx.quality), to: out + "/quality.csv")
        try OutputFile.write(ReconciliationCSV.render(recon, currency: ctx.pipeline.organisation.currency),
                             to: out + "/reconciliation.csv")
        ctx.timed("render: quality.csv and reconciliation.csv")
        let html = try TrusteesReport(data: ctx.data, period: period, summary: ctx.summary, quality: ctx.quality,
                                      reconciliation: recon).render(templates)
        try OutputFile.write(html, to: out + "/trustees.html")
        ctx.timed("render: trustees.html")
        ctx.written = ["trustees.html", "summary.csv", "transactions.csv", "quality.csv", "reconciliation.csv"].map { out + "/" + $0 }
        try OutputFile.write(OpenData360Giving.render(ctx.data, period: period), to: out + "/open-data/360giving.csv")
        ctx.written.append(out + "/open-data/360giving.csv")
        ctx.timed("render: open data")
    }

    /// Runs every stage; returns the exit status (0 success, 1 data errors,
    /// 2 pipeline file or command line wrong) and writes progress to `log`.
    public static func run(_ options: RunOptions, log: (String) -> Void) -> Int32 {
        let ctx = RunContext(options: options)
        do {
            ctx.pipeline = try Pipeline.load(path: options.pipelinePath)
            ctx.pseudonymiser = try Pseudonymiser.fromEnvironment(ctx.pipeline.privacy.pseudonymKeyEnv, environment: options.environment)
        } catch {
            log("\(error)")
            return 2
        }
        let warehousePath = options.warehousePath ?? ctx.pipeline.defaultWarehouse
        do {
            ctx.warehouse = try Warehouse.open(warehousePath, passwordVariable: ctx.pipeline.warehouse.passwordEnv,
                                               environment: options.environment)
        } catch {
            log("\(warehousePath): error: cannot open the warehouse: \(error)")
            return 1
        }
        // Messages after the ingest stage are kept with the run stamp, so an
        // up-to-date re-run says exactly what the full run said.
        var said: [String] = []
        func say(_ line: String) {
            log(line)
            said.append(line)
        }
        for (i, stage) in stages.enumerated() {
            say("[\(i + 1)/\(stages.count)] \(stage.name)")
            do {
                try stage.body(ctx)
                ctx.timed(stage.name)
            } catch let e as PipelineError {
                log("\(e)")
                return 2
            } catch {
                log("error: \(stage.name) failed: \(error)")
                return 1
            }
            if i == 0 {
                defer { ctx.timed("run stamp check") }
                if let stamp = RunStamp.replay(ctx) {
                    for line in stamp.log { log(line) }
                    return stamp.status
                }
                said = []
            }
        }
        let status = finish(ctx, log: say)
        RunStamp.record(ctx, log: said, status: status)
        ctx.timed("run stamp")
        return status
    }

    static func finish(_ ctx: RunContext, log: (String) -> Void) -> Int32 {
        var status: Int32 = 0
        for s in ctx.ingest.emptySources {
            log("\(ctx.pipeline.file):\(s.line): warning: source \"\(s.name)\" matched no file with path \"\(s.path)\"")
        }
        let errors = ctx.quality.filter { $0.severity == "error" }
        let shown = errors.prefix(20)
        for r in shown {
            log("\(r.file)\(r.location.isEmpty ? "" : ":" + compact(r.location)): error: \(r.message)")
        }
        if errors.count > shown.count { log("… and \(errors.count - shown.count) more errors in quality.csv") }
        if !ctx.ingest.filesFailed.isEmpty { status = 1 }
        let rejects = ctx.data.files.reduce(0) { $0 + $1.rowsRejected }
        let unclassified = ctx.summary.first?.unclassifiedCount ?? 0
        log("rows rejected: \(rejects); movements unclassified in \(ctx.options.period): \(unclassified); files read: \(ctx.ingest.filesRead), unchanged: \(ctx.ingest.filesUnchanged)")
        let tolerance = ctx.pipeline.reconciliation.tolerance
        let differences = ReconciliationCSV.inPeriod(ctx.reconciliation, ctx.options.period)
            .filter { $0.status != .matched && abs($0.difference) > tolerance }
        log("reconciliation differences above the tolerance in \(ctx.options.period): \(differences.count)")
        if ctx.options.strict && (rejects > 0 || unclassified > 0 || errors.count > 0 || !differences.isEmpty) {
            log("error: --strict: \(rejects) rejected rows, \(unclassified) unclassified movements, \(errors.count) errors, \(differences.count) reconciliation differences")
            status = 1
        }
        for path in ctx.written { log("wrote \(path)") }
        return status
    }

    /// `line 12, column 3` as `12:3` for compiler-style messages.
    static func compact(_ location: String) -> String {
        location.replacingOccurrences(of: "line ", with: "").replacingOccurrences(of: ", column ", with: ":")
    }
}

/// Work started on another thread at once; `wait` gives its result (or
/// throws its error) once it is done. The work must only read what it
/// captures, or own it.
final class ConcurrentJob<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping () throws -> T) {
        let job = UncheckedWork(work: work)
        let thread = Thread { [self] in
            result = Result { try job.work() }
            done.signal()
        }
        thread.stackSize = 8 << 20  // as the main thread's: templates render recursively
        thread.start()
    }

    func wait() throws -> T {
        done.wait()
        return try result!.get()
    }

    private struct UncheckedWork: @unchecked Sendable { var work: () throws -> T }
}
