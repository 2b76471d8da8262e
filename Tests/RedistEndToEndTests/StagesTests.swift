import RedistPipeline
import Testing

/// The run's stages, in the design's order (normalise and classify are one SQL pass).
@Suite("Stages")
struct StagesTests {
    @Test func theStagesRunInTheDesignsOrder() {
        #expect(PipelineRun.stages.map(\.name) == ["ingest", "normalise and classify", "reconcile", "compute", "render"])
    }
}
