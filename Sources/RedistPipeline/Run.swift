import Foundation
import RedistCore
import RedistIngest
import RedistModel
import RedistReports

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
    /// Loaded before any data is read: a broken template stops the run at once.
    public var templates: Templates!
    public var ingest = IngestReport()
    public var data: Dataset!
    public var summary: [ScopeMeasures] = []
    /// Every reconciliation row over all the data; the outputs show the period's.
    public var reconciliation: [ReconciliationRow] = []
    public var quality: [QualityRow] = []
    public var written: [String] = []
    /// Where the outputs are written: a sibling of the output folder,
    /// swapped in once every output is written (`OutputFolder`).
    public var staging: String = ""
    /// Lines for stderr, compiler style.
    public var messages: [String] = []
    /// With `REDIST_TIMINGS` set: each step's wall time, and the processor
    /// time all the run's threads spent in it, written to stderr as it ends
    /// (never into an output or the run stamp's messages).
    let timings: Bool
    private var mark = ContinuousClock.now
    private var cpuMark = Portability.processorMilliseconds()

    /// Says how long the step since the last mark took, when asked to.
    func timed(_ step: String) {
        guard timings else { return }
        let now = ContinuousClock.now, cpu = Portability.processorMilliseconds()
        let ms = (now - mark) / .milliseconds(1)
        FileHandle.standardError.write(Data("time: \(step) \(Int(ms.rounded())) ms (cpu \(cpu - cpuMark) ms)\n".utf8))
        mark = now
        cpuMark = cpu
    }

    init(options: RunOptions) {
        self.options = options
        timings = options.environment["REDIST_TIMINGS"].map { !$0.isEmpty } ?? false
    }
}

extension PipelineRun {
    /// The render stage: every output, written into a staging folder that is
    /// swapped in whole once all are written.
    static func render(_ ctx: RunContext) throws {
        ctx.staging = try OutputFolder.prepare(ctx.options.outDirectory)
        let out = ctx.staging
        let period = ctx.options.period
        let templates = ctx.templates!
        let recon = ReconciliationCSV.inPeriod(ctx.reconciliation, period)
        // The funders' evidence packs are independent of the other outputs:
        // they are written on a second core while those are.
        let data = ctx.data!, pseudonymiser = ctx.pseudonymiser!
        // Each thread then makes only folders of its own inside this one.
        try OutputFile.makeDirectory(out)
        // Two threads take every other funder, so the packs left when the
        // other outputs are done are shared by both cores.
        let funders = Array(MeasureEngine(data: data).fundersWithFlows(period).enumerated())
        let packs = (0..<2).map { share in
            ConcurrentJob { () throws -> [(Int, [String])] in
                let engine = MeasureEngine(data: data)
                return try funders.filter { $0.offset % 2 == share }.map { n, funder in
                    let evidence = engine.evidence(for: funder, period: period, reconciliation: recon)
                    let pack = EvidencePack(evidence: evidence, data: data, pseudonymiser: pseudonymiser)
                    return (n, try pack.write(to: out + "/evidence", templates: templates))
                }
            }
        }
        /// Every pack's files, in the order of the funders in the pipeline file.
        func waitForPacks() throws -> [String] {
            let done = packs.map { job in Result { try job.wait() } }
            return try done.flatMap { try $0.get() }.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
        do {
            try renderReports(ctx, templates: templates, reconciliation: recon)
        } catch {
            _ = try? waitForPacks()  // never leave a pack half written behind a failure
            throw error
        }
        ctx.written += try waitForPacks()
        ctx.timed("render: waiting for the evidence packs")
        // A figure the warehouse could not give fails the run before any output is kept.
        try data.checkMeasures()
        // Every output is written: the folder becomes this run's output whole.
        try OutputFolder.swap(ctx.staging, into: ctx.options.outDirectory)
        ctx.written = ctx.written.map { OutputFolder.final($0, staging: ctx.staging, out: ctx.options.outDirectory) }
        ctx.staging = ""
    }

    /// Every output but the evidence packs.
    static func renderReports(_ ctx: RunContext, templates: Templates, reconciliation recon: [ReconciliationRow]) throws {
        let out = ctx.staging
        let period = ctx.options.period
        try OutputFile.write(SummaryCSV.render(ctx.summary), to: out + "/summary.csv")
        // transactions.csv reads only the quarter's rows: it is written on
        // a thread of its own while the figures below are worked out.
        let data = ctx.data!, pseudonymiser = ctx.pseudonymiser!
        let transactions = ConcurrentJob {
            try TransactionsCSV.write(data, period: period, pseudonymiser: pseudonymiser, to: out + "/transactions.csv")
        }
        do {
            try renderFigures(ctx, templates: templates, reconciliation: recon)
        } catch {
            _ = try? transactions.wait()
            throw error
        }
        try transactions.wait()
        ctx.timed("render: waiting for transactions.csv")
    }

    /// The outputs made from the figures: fund movements, quality,
    /// reconciliation, the trustees' report and the open data.
    static func renderFigures(_ ctx: RunContext, templates: Templates, reconciliation recon: [ReconciliationRow]) throws {
        let out = ctx.staging
        let period = ctx.options.period
        let engine = MeasureEngine(data: ctx.data)
        let ytd = engine.yearToDate(period)
        let movements = [engine.fundMovements(period)] + (ytd.start == period.start ? [] : [engine.fundMovements(ytd)])
        try OutputFile.write(FundMovementsCSV.render(movements, currency: ctx.pipeline.organisation.currency), to: out + "/fund_movements.csv")
        try OutputFile.write(QualityCSV.render(ctx.quality), to: out + "/quality.csv")
        try OutputFile.write(ReconciliationCSV.render(recon, currency: ctx.pipeline.organisation.currency),
                             to: out + "/reconciliation.csv")
        ctx.timed("render: quality.csv and reconciliation.csv")
        let html = try TrusteesReport(data: ctx.data, period: period, summary: ctx.summary, quality: ctx.quality,
                                      reconciliation: recon, allReconciliation: ctx.reconciliation).render(templates)
        try OutputFile.write(html, to: out + "/trustees.html")
        ctx.timed("render: trustees.html")
        ctx.written = ["trustees.html", "summary.csv", "fund_movements.csv", "transactions.csv", "quality.csv", "reconciliation.csv"].map { out + "/" + $0 }
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
            // --templates, else [reports] templates in the pipeline file, else the built-in ones.
            ctx.templates = try Templates.load(directory: options.templatesDirectory ?? ctx.pipeline.templatesDirectory)
        } catch {
            log("\(error)")
            return 2
        }
        let warehousePath = options.warehousePath ?? ctx.pipeline.defaultWarehouse
        // One run at a time on a warehouse and on an output folder (a
        // PostgreSQL warehouse is locked on its server, once open).
        var locks: [RunLock] = []
        defer { for lock in locks { lock.release() } }
        do {
            if !PostgresLocation.isURL(warehousePath) { locks.append(try RunLock.warehouse(warehousePath)) }
            locks.append(try RunLock(OutputFolder.sibling(options.outDirectory, "lock"), guarding: options.outDirectory, what: "output folder"))
        } catch {
            log("\(error)")
            return 1
        }
        do {
            ctx.warehouse = try Warehouse.open(warehousePath, passwordVariable: ctx.pipeline.warehouse.passwordEnv,
                                               environment: options.environment)
            try ctx.warehouse.lockForRun()
        } catch WarehouseError.damaged(_, let reason) {
            do { try rebuildWarehouse(ctx, warehousePath, reason: reason, log: log) } catch {
                log("\(error)")
                return 1
            }
        } catch let e as WarehouseError {
            log("\(e)")
            return 1
        } catch {
            log("\(warehousePath): error: cannot open the warehouse: \(error)")
            return 1
        }
        // However the run ends, the warehouse is left as one file.
        defer {
            ctx.data?.closeReaders()
            ctx.warehouse?.keepAsOneFile()
        }
        // Messages after the ingest stage are kept with the run stamp, so an
        // up-to-date re-run says exactly what the full run said.
        var said: [String] = []
        func say(_ line: String) {
            log(line)
            said.append(line)
        }
        // A run that fails leaves no staging folder behind (the output folder is as it was).
        defer { if !ctx.staging.isEmpty { try? FileManager.default.removeItem(atPath: ctx.staging) } }
        var rebuilt = false
        for (i, stage) in stages.enumerated() {
            say("[\(i + 1)/\(stages.count)] \(stage.name)")
            do {
                do {
                    try stage.body(ctx)
                } catch let e where i <= 1 && !rebuilt && Self.isDamage(e) {
                    // Reading the warehouse found it damaged: rebuilt, and read again.
                    rebuilt = true
                    try rebuildWarehouse(ctx, warehousePath, reason: Self.damageReason(e), log: log)
                    // The rebuild read every file again: that was the ingest stage.
                    if i > 0 { try stage.body(ctx) }
                }
                ctx.timed(stage.name)
            } catch let e as PipelineError {
                log("\(e)")
                return 2
            } catch let e as Templates.Missing {
                // A template that needs a line or value it lacks is a configuration mistake too.
                log("\(e)")
                return 2
            } catch let e as WarehouseError {
                log("\(e)")
                return 1
            } catch let e as DataError {
                log("\(e)")
                return 1
            } catch let e as OutputError {
                log(OutputError(path: OutputFolder.final(e.path, staging: ctx.staging, out: options.outDirectory), reason: e.reason).description)
                return 1
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
                // Before any figure is read back: is the warehouse whole?
                // (A replayed run reads nothing back, so it skips this, as
                // does a warehouse this run made: no earlier run wrote it.)
                if !ctx.warehouse.isNew, let damage = ctx.warehouse.damage() {
                    do { try rebuildWarehouse(ctx, warehousePath, reason: damage, log: log) } catch {
                        log("\(error)")
                        return 1
                    }
                }
                ctx.timed("warehouse check")
            }
        }
        let status = finish(ctx, log: say)
        RunStamp.record(ctx, log: said, status: status)
        ctx.timed("run stamp")
        return status
    }

    /// A damaged warehouse holds nothing the inputs do not: it is moved
    /// aside (kept for a look, as `<path>.damaged`), a new one is made and
    /// every source file read into it again.
    static func rebuildWarehouse(_ ctx: RunContext, _ path: String, reason: String, log: (String) -> Void) throws {
        log("\(path): warning: the warehouse is damaged (\(reason)); it is moved to \(path).damaged and rebuilt from the inputs")
        ctx.warehouse = nil  // closes it
        let aside = path + ".damaged"
        for suffix in ["", "-journal", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: aside + suffix)
            if FileManager.default.fileExists(atPath: path + suffix), rename(path + suffix, aside + suffix) != 0 {
                throw WarehouseError.damaged(path: path, reason: "\(reason); it could not be moved aside: \(String(cString: strerror(errno)))")
            }
        }
        ctx.warehouse = try Warehouse(path: path)
        ctx.ingest = try IngestStage(pipeline: ctx.pipeline, warehouse: ctx.warehouse).run()
        if let still = ctx.warehouse.damage() { throw WarehouseError.damaged(path: path, reason: still) }
    }

    static func isDamage(_ error: Error) -> Bool { Warehouse.damageReason(error) != nil }

    static func damageReason(_ error: Error) -> String { Warehouse.damageReason(error) ?? "\(error)" }

    static func finish(_ ctx: RunContext, log: (String) -> Void) -> Int32 {
        var status: Int32 = 0
        for s in ctx.ingest.emptySources {
            log("\(ctx.pipeline.file):\(s.line): warning: \(PipelineCheck.noFile(s))")
        }
        let errors = ctx.quality.filter { $0.severity == "error" }
        let shown = errors.prefix(20)
        for r in shown {
            log("\(r.file)\(r.location.isEmpty ? "" : ":" + compact(r.location)): error: \(r.message)")
        }
        if errors.count > shown.count { log("… and \(errors.count - shown.count) more errors in quality.csv") }
        if !ctx.ingest.filesFailed.isEmpty { status = 1 }
        // Errors other than rejected rows (a bank balance that does not add
        // up, a file that failed) are the data's errors: exit status 1.
        // Rejected rows are counted and shown; --strict fails on them.
        let dataErrors = errors.filter { !$0.check.rejectsRow }
        if !dataErrors.isEmpty {
            log("error: the data has \(dataErrors.count) error\(dataErrors.count == 1 ? "" : "s") besides rejected rows (see quality.csv)")
            status = 1
        }
        let missing = ctx.data.sourcesWithoutFiles
        let rejects = ctx.data.files.reduce(0) { $0 + $1.rowsRejected }
        let unclassified = ctx.summary.first?.unclassifiedCount ?? 0
        log("rows rejected: \(rejects); movements unclassified in \(ctx.options.period): \(unclassified); files read: \(ctx.ingest.filesRead), unchanged: \(ctx.ingest.filesUnchanged)")
        let tolerance = ctx.pipeline.reconciliation.tolerance
        let differences = ReconciliationCSV.inPeriod(ctx.reconciliation, ctx.options.period)
            .filter { $0.status != .matched && abs($0.difference) > tolerance }
        log("reconciliation differences above the tolerance in \(ctx.options.period): \(differences.count)")
        if ctx.options.strict && (rejects > 0 || unclassified > 0 || errors.count > 0 || !differences.isEmpty || !missing.isEmpty) {
            log("error: --strict: \(rejects) rejected rows, \(unclassified) unclassified movements, \(errors.count) errors, \(differences.count) reconciliation differences, \(missing.count) sources with no file")
            status = 1
        }
        if ctx.data.hasNoLedgerMovements(in: ctx.options.period) {
            log("warning: no ledger movement is dated in \(ctx.options.period) (\(ctx.options.period.start) to \(ctx.options.period.end)): every figure for it is nothing")
        }
        for r in ctx.quality where r.check == .evidenceNoPack { log("\(ctx.pipeline.file): note: \(r.message)") }
        for path in ctx.written { log("wrote \(path)") }
        return status
    }

    /// `line 12, column 3` as `12:3` for compiler-style messages.
    static func compact(_ location: String) -> String {
        location.replacingOccurrences(of: "line ", with: "").replacingOccurrences(of: ", column ", with: ":")
    }
}
