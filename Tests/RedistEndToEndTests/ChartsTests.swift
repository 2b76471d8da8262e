import Foundation
@testable import RedistReports
import Testing

/// The SVG charts: what the GSS guidance asks of them (direct labels, no
/// legend, axes from zero, series told apart without colour), text
/// alternatives, escaping and determinism.
@Suite struct ChartsTests {
    let ticks = [("Q1 2023/24", "Apr–Jun 2023"), ("Q2 2023/24", "Jul–Sep 2023"), ("Q3 2023/24", "Oct–Dec 2023"), ("Q4 2023/24", "Jan–Mar 2024")]
        .map { Charts.Tick(label: $0.0, sublabel: $0.1) }

    func threeSeries() -> String {
        Charts.lines([
            Charts.Series(name: "Reached groups", values: [4_502_801, 3_907_039, nil, 4_416_294], valueLabels: ["£45,028", "£39,070", "", "£44,163"],
                          colour: Palette.redistributed, style: .solid, marker: .circle),
            Charts.Series(name: "Kept by us", values: [5_890_656, 6_017_289, 0, 6_426_929], valueLabels: ["£58,907", "£60,173", "£0", "£64,269"],
                          colour: Palette.retained, style: .dashed, marker: .square),
            Charts.Series(name: "Not yet classified", values: [4_799, 1_250, 22_508_529, 23_800], valueLabels: ["£48", "£13", "£225,085", "£238"],
                          colour: Palette.unclassified, style: .dotted, marker: .triangle),
        ], ticks: ticks, axis: .money(symbol: "£", minorDigits: 2), title: "Money passed on and kept", description: "Three lines.", id: "amounts")
    }

    func count(_ needle: String, in haystack: String) -> Int {
        haystack.components(separatedBy: needle).count - 1
    }

    @Test func seriesDifferByLineStyleAndMarkerNotOnlyColour() {
        let svg = threeSeries()
        let paths = svg.components(separatedBy: "\n").filter { $0.hasPrefix("<path d=\"M") && $0.contains("fill=\"none\"") }
        #expect(paths.count == 3)
        let dashes = paths.map { line -> String in
            guard let r = line.range(of: "stroke-dasharray=\"") else { return "solid" }
            return String(line[r.upperBound...].prefix { $0 != "\"" })
        }
        #expect(Set(dashes).count == 3, "each line needs its own dash pattern: \(dashes)")
        #expect(dashes.contains("solid"))
        #expect(svg.contains("<circle "))
        #expect(svg.contains("<rect x="))
        #expect(svg.contains(" Z\" fill="), "triangles for the third series")
        #expect(Set(Charts.LineStyle.allCases.map { $0.dashArray ?? "" }).count == Charts.LineStyle.allCases.count)
    }

    @Test func seriesAreLabelledDirectlyWithNoLegend() {
        let svg = threeSeries()
        for name in ["Reached groups", "Kept by us", "Not yet classified"] {
            #expect(svg.contains(">\(name)</text>"), "\(name) is not written beside its line")
        }
        #expect(svg.contains(">£44,163</text>"), "the last value is written beside the line's name")
        #expect(!svg.lowercased().contains("legend"))
    }

    @Test func quartersAreLabelledByFinancialYearAndMonths() {
        let svg = threeSeries()
        for t in ticks {
            #expect(svg.contains(">\(t.label)</text>"))
            #expect(svg.contains(">\(t.sublabel)</text>"))
        }
    }

    @Test func aMissingQuarterBreaksTheLine() {
        let svg = threeSeries()
        let reached = svg.components(separatedBy: "\n").first { $0.hasPrefix("<path d=\"M") && $0.contains(Palette.redistributed) }!
        #expect(count("M", in: reached) == 2, "the line should restart after the gap: \(reached)")
        let rate = Charts.lines([Charts.Series(name: "r", values: [4000, nil, 5000], valueLabels: ["40%", "–", "50%"], colour: Palette.redistributed,
                                               style: .solid, marker: .circle, pointLabels: .above, missingLabel: "no rate")],
                                ticks: Array(ticks.prefix(3)), axis: .percent, title: "t", description: "d", id: "r", endLabels: false)
        #expect(rate.contains(">no rate</text>"))
        #expect(rate.contains(">40%</text>") && rate.contains(">50%</text>"))
    }

    @Test func axesStartAtZeroWithNiceSteps() {
        #expect(Charts.Axis.percent.ticks(maximum: 4000) == (10000, 2500))
        #expect(Charts.Axis.count.ticks(maximum: 32) == (40, 10))
        #expect(Charts.Axis.count.ticks(maximum: 0) == (4, 1))
        #expect(Charts.Axis.count.ticks(maximum: 3) == (3, 1))
        #expect(Charts.Axis.money(symbol: "£", minorDigits: 2).ticks(maximum: 6_426_929) == (8_000_000, 2_000_000))
        #expect(Charts.Axis.money(symbol: "£", minorDigits: 2).ticks(maximum: 22_508_529) == (30_000_000, 10_000_000))
        for maximum: Int64 in [1, 7, 9, 10, 11, 99, 101, 1234, 99_999, 7_654_321] {
            let (top, step) = Charts.Axis.nice(maximum: maximum)
            #expect(top >= maximum && step > 0 && top % step == 0 && top / step <= 5, "\(maximum) gave \(top)/\(step)")
        }
        let svg = threeSeries()
        #expect(svg.contains(">£0</text>"), "a money axis starts at zero")
        #expect(svg.contains(">£300,000</text>"))
        // One axis only: every axis label is on the left.
        #expect(count("text-anchor=\"end\" font-size=\"13\"", in: svg) == 4)
    }

    @Test func everyChartHasATextAlternative() {
        let bars = Charts.groupedBars([Charts.BarGroup(title: "Reached groups", bars: [Charts.Bar(label: "Grants", value: 10, valueLabel: "£10")],
                                                       hatched: false, colour: Palette.redistributed)],
                                      title: "Where the money went", description: "One bar.", id: "where")
        for (svg, id) in [(threeSeries(), "amounts"), (bars, "where")] {
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\""))
            #expect(svg.contains("<title id=\"\(id)-title\">"))
            #expect(svg.contains("<desc id=\"\(id)-desc\">"))
            #expect(svg.contains("viewBox=\"0 0 "))
            #expect(!svg.contains("<script") && !svg.contains("on"+"load="))
        }
    }

    @Test func keptMoneyIsHatchedAndPassedOnMoneySolid() {
        let svg = Charts.groupedBars([
            Charts.BarGroup(title: "Reached groups: £10", bars: [Charts.Bar(label: "Grants", value: 10, valueLabel: "£10")], hatched: false, colour: Palette.redistributed),
            Charts.BarGroup(title: "Kept by us: £5", bars: [Charts.Bar(label: "Staff", value: 5, valueLabel: "£5"), Charts.Bar(label: "Nothing", value: 0, valueLabel: "£0")],
                            hatched: true, colour: Palette.retained),
        ], title: "t", description: "d", id: "w")
        #expect(svg.contains("<pattern id=\"w-hatch-1\""))
        #expect(svg.contains("fill=\"url(#w-hatch-1)\""))
        #expect(svg.contains("fill=\"\(Palette.redistributed)\" stroke=\"\(Palette.ink)\""))
        #expect(svg.contains(">Reached groups: £10</text>") && svg.contains(">Kept by us: £5</text>"))
        #expect(svg.contains(">£0</text>"), "a zero bar still says so")
    }

    @Test func textIsEscaped() {
        let hostile = "<script>alert('x')</script> & \"quotes\""
        let svg = Charts.lines([Charts.Series(name: hostile, values: [1, 2], valueLabels: [hostile, hostile], colour: Palette.redistributed,
                                              style: .solid, marker: .circle, pointLabels: .above)],
                               ticks: [Charts.Tick(label: hostile, sublabel: hostile), Charts.Tick(label: "b", sublabel: "c")],
                               axis: .count, title: hostile, description: hostile, id: "x")
        #expect(!svg.contains("<script"))
        #expect(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"))
        let bars = Charts.groupedBars([Charts.BarGroup(title: hostile, bars: [Charts.Bar(label: hostile, value: 1, valueLabel: hostile)],
                                                       hatched: true, colour: Palette.retained)], title: hostile, description: hostile, id: "y")
        #expect(!bars.contains("<script"))
    }

    @Test func sameFiguresGiveTheSameChart() {
        #expect(threeSeries() == threeSeries())
    }
}
