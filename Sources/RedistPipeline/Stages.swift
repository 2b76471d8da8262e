import RedistCore
import RedistReports

/// One named step of the pipeline.
public struct Stage: Sendable {
    public var name: String
    public var body: @Sendable (RunContext) throws -> Void
}

/// The whole pipeline as a list of stages, read top to bottom. The design
/// has six stages; normalise and classify are one step here because one
/// SQL pass in the warehouse does both (`sql/movement_kept.sql` keeps each
/// movement once, `sql/classify.sql` gives the kept ones their category),
/// so a rule change never needs the exports read again. Each stage's code
/// lives in the folder of its name:
///
/// | stage | where |
/// | --- | --- |
/// | ingest | `RedistIngest` (one reader per format), `RedistCore/Ingest` (into the warehouse) |
/// | normalise and classify | `RedistCore/Normalise`, `RedistCore/Classify`, `sql/` |
/// | reconcile | `RedistCore/Reconcile` |
/// | compute | `RedistCore/Compute`, `sql/` |
/// | render | `RedistReports` (`CSV/`, `HTML/`, `Packs/`) |
public enum PipelineRun {
    public static let stages: [Stage] = [
        Stage(name: "ingest") { ctx in
            ctx.ingest = try IngestStage(pipeline: ctx.pipeline, warehouse: ctx.warehouse).run()
        },
        Stage(name: "normalise and classify") { ctx in
            // From here on connections read beside the writer.
            try ctx.warehouse.readBesideWriter()
            ctx.data = try Dataset.load(pipeline: ctx.pipeline, warehouse: ctx.warehouse)
            // Who may be named is decided by the member register: without
            // all of it, no report may be written that could name anyone.
            try MemberRegisterGate.check(ctx.data)
        },
        Stage(name: "reconcile") { ctx in
            ctx.reconciliation = Reconciler(data: ctx.data).all()
        },
        Stage(name: "compute") { ctx in
            let engine = MeasureEngine(data: ctx.data)
            ctx.summary = engine.summary(for: ctx.options.period)
            let recon = ReconciliationCSV.inPeriod(ctx.reconciliation, ctx.options.period)
            ctx.quality = QualityCSV.rows(ctx.data, period: ctx.options.period, extra: ReconciliationCSV.qualityRows(
                recon, tolerance: ctx.pipeline.reconciliation.tolerance, currency: ctx.pipeline.organisation.currency)
                + QualityCSV.fundersWithoutPacks(engine, period: ctx.options.period))
        },
        Stage(name: "render") { ctx in
            try render(ctx)
        },
    ]
}
