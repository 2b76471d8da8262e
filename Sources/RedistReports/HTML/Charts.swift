import Foundation
import RedistModel

/// The colours of the reports and their charts, in one place so that
/// `ContrastTests` can hold every one of them to WCAG 2.2 AA: 4.5:1 for
/// text, 3:1 for the parts of a chart a reader has to see (lines, markers,
/// bar outlines). `reports/templates/styles.mustache` uses the same values
/// as CSS custom properties, and the tests read that file too.
///
/// The series colours are the dark blue and dark pink of the GSS
/// accessible palette; each series also has its own line style, marker
/// shape or fill pattern, so that no chart relies on colour alone and every
/// chart survives printing in black and white.
enum Palette {
    static let paper = "#ffffff"
    /// The pale band behind the headline sentence.
    static let band = "#f3f6f8"
    static let ink = "#1a1a1a"
    static let muted = "#4a4a4a"
    /// Axes and grid lines.
    static let grid = "#767676"
    /// Money that reached groups: solid lines, circles, solid bars.
    static let redistributed = "#12436d"
    /// Money the organisation kept: dashed lines, squares, hatched bars.
    static let retained = "#801650"
    /// Money no rule has classified yet: dotted lines, triangles.
    static let unclassified = "#4a4a4a"

    /// Every colour a chart or the stylesheet draws with, what it is drawn
    /// on, and the contrast it needs.
    static let uses: [(name: String, colour: String, on: String, minimum: Double)] = [
        ("text", ink, paper, 4.5), ("text on the headline band", ink, band, 4.5),
        ("secondary text", muted, paper, 4.5), ("secondary text on the band", muted, band, 4.5),
        ("axes and grid lines", grid, paper, 3), ("table rules", grid, paper, 3),
        // Series colours also write each series' name at the end of its line: text.
        ("redistributed series", redistributed, paper, 4.5), ("retained series", retained, paper, 4.5),
        ("unclassified series", unclassified, paper, 4.5), ("bar outlines", ink, paper, 3),
        ("hatching of kept money's bars", retained, paper, 3),
        ("headline band edge", redistributed, band, 3),
    ]

    /// The WCAG 2.2 relative luminance of a `#rrggbb` colour.
    static func luminance(_ hex: String) -> Double? {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
        func channel(_ shift: UInt32) -> Double {
            let c = Double((value >> shift) & 0xff) / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
    }

    /// The WCAG contrast ratio of two colours, from 1 to 21.
    static func contrast(_ a: String, _ b: String) -> Double? {
        guard let la = luminance(a), let lb = luminance(b) else { return nil }
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }
}

/// Inline SVG charts, following the GSS chart guidance: a short title,
/// data labelled directly (no legend), no dual axes, axes that start at
/// zero, and line styles, marker shapes and fill patterns that survive
/// black-and-white printing, so that colour is never the only cue. Each
/// chart carries a text alternative (`<title>` and `<desc>`, referenced by
/// `aria-labelledby`); the report puts the same data in a table beside it.
/// No script: the charts are drawn once, here, with integer geometry, so
/// the same figures always give byte-identical SVG.
enum Charts {
    // MARK: Shared pieces

    enum LineStyle: CaseIterable {
        case solid, dashed, dotted
        var dashArray: String? {
            switch self {
            case .solid: return nil
            case .dashed: return "10 6"
            case .dotted: return "1 7"
            }
        }
        var lineCap: String { self == .dotted ? "round" : "butt" }
    }

    enum Marker: CaseIterable {
        case circle, square, triangle
        func svg(x: Int, y: Int, colour: String) -> String {
            switch self {
            case .circle:
                return "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"5\" fill=\"\(Palette.paper)\" stroke=\"\(colour)\" stroke-width=\"3\"/>"
            case .square:
                return "<rect x=\"\(x - 5)\" y=\"\(y - 5)\" width=\"10\" height=\"10\" fill=\"\(colour)\" stroke=\"\(colour)\" stroke-width=\"1\"/>"
            case .triangle:
                return "<path d=\"M\(x) \(y - 7) L\(x + 6) \(y + 4) L\(x - 6) \(y + 4) Z\" fill=\"\(colour)\" stroke=\"\(colour)\" stroke-width=\"1\"/>"
            }
        }
    }

    /// The opening of every chart: its size and its text alternative.
    static func open(id: String, width: Int, height: Int, title: String, description: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="\(id)-title \(id)-desc" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" class="chart-svg" font-family="Helvetica Neue, Arial, sans-serif">
        <title id="\(id)-title">\(HTML.escape(title))</title>
        <desc id="\(id)-desc">\(HTML.escape(description))</desc>

        """
    }

    /// A label; `halo` draws a band of paper behind it, so that a grid line
    /// or another line running under it never makes it hard to read.
    static func text(_ s: String, x: Int, y: Int, anchor: String = "start", size: Int = 14, bold: Bool = false,
                     colour: String = Palette.ink, halo: Bool = false) -> String {
        let haloAttributes = halo ? " stroke=\"\(Palette.paper)\" stroke-width=\"4\" stroke-linejoin=\"round\" style=\"paint-order:stroke\"" : ""
        return "<text x=\"\(x)\" y=\"\(y)\" text-anchor=\"\(anchor)\" font-size=\"\(size)\"\(bold ? " font-weight=\"bold\"" : "") fill=\"\(colour)\"\(haloAttributes)>\(HTML.escape(s))</text>\n"
    }

    /// A hatching pattern for bars, so kept money differs from money passed
    /// on by more than its colour.
    static func hatch(id: String, colour: String) -> String {
        "<defs><pattern id=\"\(id)\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"\(Palette.paper)\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"\(colour)\" stroke-width=\"4\"/></pattern></defs>\n"
    }

    // MARK: Bars: where the money went

    struct Bar {
        var label: String
        var value: Int64
        var valueLabel: String
    }

    /// A group of bars under one direct label: "Reached groups: £44,163".
    struct BarGroup {
        var title: String
        var bars: [Bar]
        /// Solid bars for money passed on; hatched for money kept.
        var hatched: Bool
        var colour: String
    }

    /// Horizontal bars in labelled groups, each bar labelled with its value.
    /// The groups' titles stand in for a legend; solid against hatched
    /// tells them apart in black and white.
    /// `value × size ÷ whole`, rounded down, clamped to `0…whole`: the
    /// product taken full width, so sums near the 64-bit limit draw too.
    static func scale(_ value: Int64, to size: Int, of whole: Int64) -> Int {
        guard value > 0, whole > 0 else { return 0 }
        let product = UInt64(min(value, whole)).multipliedFullWidth(by: UInt64(size))
        let (q, _) = UInt64(whole).dividingFullWidth(product)
        return Int(q)
    }

    static func groupedBars(_ groups: [BarGroup], title: String, description: String, id: String) -> String {
        let rowHeight = 28, headHeight = 30, labelWidth = 270, barWidth = 330, valueWidth = 90
        let width = labelWidth + barWidth + valueWidth
        let rows = groups.reduce(0) { $0 + $1.bars.count }
        let height = rows * rowHeight + groups.count * headHeight + 8
        let maxValue = max(1, groups.flatMap(\.bars).map(\.value).max() ?? 1)
        var svg = open(id: id, width: width, height: height, title: title, description: description)
        for (g, group) in groups.enumerated() where group.hatched {
            svg += hatch(id: "\(id)-hatch-\(g)", colour: group.colour)
        }
        var y = 0
        for (g, group) in groups.enumerated() {
            svg += text(group.title, x: 0, y: y + 21, size: 15, bold: true)
            y += headHeight
            for bar in group.bars {
                let w = bar.value <= 0 ? 0 : max(3, Self.scale(bar.value, to: barWidth, of: maxValue))
                let fill = group.hatched ? "url(#\(id)-hatch-\(g))" : group.colour
                svg += text(bar.label, x: labelWidth - 10, y: y + 19, anchor: "end")
                if w > 0 {
                    svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(w)\" height=\"20\" fill=\"\(fill)\" stroke=\"\(Palette.ink)\" stroke-width=\"1\"/>\n"
                } else {
                    svg += "<line x1=\"\(labelWidth)\" y1=\"\(y + 4)\" x2=\"\(labelWidth)\" y2=\"\(y + 24)\" stroke=\"\(Palette.ink)\" stroke-width=\"1\"/>\n"
                }
                svg += text(bar.valueLabel, x: labelWidth + w + 6, y: y + 19)
                y += rowHeight
            }
        }
        return svg + "</svg>"
    }

    // MARK: Lines: quarters over time

    /// How a chart's vertical axis counts.
    enum Axis: Equatable {
        /// Basis points, 0 to 100%.
        case percent
        /// Minor units of money, with the currency symbol and its minor digits.
        case money(symbol: String, minorDigits: Int)
        /// Whole things (groups).
        case count

        /// The top of the axis and the step between gridlines, in the
        /// series' own units, for a largest value of `maximum`. Always
        /// starts at zero: a chart of money never truncates its axis.
        func ticks(maximum: Int64) -> (top: Int64, step: Int64) {
            switch self {
            case .percent:
                return (10000, 2500)
            case .money(_, let digits):
                var unit: Int64 = 1
                for _ in 0..<digits { unit *= 10 }
                let (top, step) = Axis.nice(maximum: (maximum + unit - 1) / unit)
                return (top * unit, step * unit)
            case .count:
                return Axis.nice(maximum: maximum)
            }
        }

        /// A "nice" step (1, 2, 2.5 or 5 × 10ⁿ) giving about four gridlines.
        static func nice(maximum: Int64) -> (top: Int64, step: Int64) {
            guard maximum > 0 else { return (4, 1) }
            var magnitude: Int64 = 1
            while magnitude * 10 <= maximum / 4 { magnitude *= 10 }
            // Steps in tenths of the magnitude.
            for tenths: Int64 in [10, 20, 25, 50, 100] {
                let step = magnitude * tenths / 10
                guard step > 0, step * 10 == magnitude * tenths else { continue }
                if step * 4 >= maximum {
                    let top = (maximum + step - 1) / step * step
                    return (max(top, step), step)
                }
            }
            let step = magnitude * 10
            return ((maximum + step - 1) / step * step, step)
        }

        func label(_ value: Int64) -> String {
            switch self {
            case .percent:
                return "\(value / 100)%"
            case .money(let symbol, let digits):
                var unit: Int64 = 1
                for _ in 0..<digits { unit *= 10 }
                return MoneyFormat.grouped(value / unit, digits: 0, symbol: symbol)
            case .count:
                return String(value)
            }
        }
    }

    /// Where a series writes each point's value.
    enum PointLabels { case none, above, below }

    struct Series {
        var name: String
        /// One value per quarter; nil where there is no figure (a gap in the line).
        var values: [Int64?]
        var valueLabels: [String]
        var colour: String
        var style: LineStyle
        var marker: Marker
        var pointLabels: PointLabels = .none
        /// Written at the foot of a quarter that has no figure, e.g. "no rate".
        var missingLabel: String? = nil
    }

    /// A quarter on the horizontal axis: its financial-year name and its months.
    struct Tick {
        var label: String
        var sublabel: String
    }

    /// Lines over quarters on one axis that starts at zero. Each series is
    /// named at the end of its line (no legend) with its last value, and
    /// differs from the others by line style and marker as well as colour.
    static func lines(_ series: [Series], ticks: [Tick], axis: Axis, title: String, description: String, id: String,
                      endLabels: Bool = true, endValues: Bool = true) -> String {
        let n = max(1, ticks.count)
        let step = n <= 4 ? 130 : 92
        let yLabelWidth: Int
        switch axis {
        case .percent: yLabelWidth = 44
        case .count: yLabelWidth = 36
        case .money: yLabelWidth = 78
        }
        let left = yLabelWidth + 8, top = 28, plotHeight = 170
        let plotWidth = (n - 1) * step + 60
        let right = endLabels ? 190 : 24
        let width = left + plotWidth + right
        let height = top + plotHeight + 56
        let maximum = series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0
        let (axisTop, axisStep) = axis.ticks(maximum: maximum)
        func y(_ v: Int64) -> Int { top + plotHeight - Self.scale(max(0, v), to: plotHeight, of: max(1, axisTop)) }
        func x(_ i: Int) -> Int { left + 30 + i * step }

        var svg = open(id: id, width: width, height: height, title: title, description: description)
        // Gridlines and the zero line, each labelled on the left.
        var tick: Int64 = 0
        while tick <= axisTop {
            let ty = y(tick)
            let dash = tick == 0 ? "" : " stroke-dasharray=\"2 4\""
            svg += "<line x1=\"\(left)\" y1=\"\(ty)\" x2=\"\(left + plotWidth)\" y2=\"\(ty)\" stroke=\"\(tick == 0 ? Palette.ink : Palette.grid)\" stroke-width=\"1\"\(dash)/>\n"
            svg += text(axis.label(tick), x: left - 8, y: ty + 5, anchor: "end", size: 13)
            tick += axisStep
        }
        // The quarters, by financial-year name and by months.
        for (i, t) in ticks.enumerated() {
            svg += text(t.label, x: x(i), y: top + plotHeight + 22, anchor: "middle", size: 13, bold: true)
            svg += text(t.sublabel, x: x(i), y: top + plotHeight + 40, anchor: "middle", size: 12, colour: Palette.muted)
        }
        // The lines, broken where a quarter has no figure.
        for s in series {
            var path = "", pen = false
            for (i, v) in s.values.enumerated() {
                guard let v else { pen = false; continue }
                path += (path.isEmpty ? "" : " ") + (pen ? "L" : "M") + "\(x(i)) \(y(v))"
                pen = true
            }
            if !path.isEmpty {
                let dash = s.style.dashArray.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"3\" stroke-linecap=\"\(s.style.lineCap)\" stroke-linejoin=\"round\"\(dash)/>\n"
            }
        }
        // Markers and the values beside them, above the lines.
        for s in series {
            for (i, v) in s.values.enumerated() {
                guard let v else {
                    if let missing = s.missingLabel {
                        svg += text(missing, x: x(i), y: top + plotHeight - 8, anchor: "middle", size: 12, colour: Palette.muted)
                    }
                    continue
                }
                svg += s.marker.svg(x: x(i), y: y(v), colour: s.colour) + "\n"
                let label = i < s.valueLabels.count ? s.valueLabels[i] : ""
                switch s.pointLabels {
                case .none: break
                case .above: svg += text(label, x: x(i), y: y(v) - 12, anchor: "middle", size: 13, bold: true, halo: true)
                case .below:
                    // Under the point, unless that would run into the quarters' names: then up and to the right.
                    if y(v) + 22 > top + plotHeight - 4 {
                        svg += text(label, x: x(i) + 9, y: y(v) - 8, size: 13, bold: true, halo: true)
                    } else {
                        svg += text(label, x: x(i), y: y(v) + 22, anchor: "middle", size: 13, bold: true, halo: true)
                    }
                }
            }
        }
        // Each series named at the end of its line, pushed apart so names never overlap.
        if endLabels {
            var labels: [(y: Int, series: Series, value: String, x: Int)] = []
            for s in series {
                guard let last = s.values.lastIndex(where: { $0 != nil }), let v = s.values[last] else { continue }
                let value = last < s.valueLabels.count ? s.valueLabels[last] : ""
                labels.append((y(v), s, value, x(last)))
            }
            labels.sort { $0.y < $1.y }
            var placed: [Int] = []
            for l in labels {
                var ly = l.y
                if let previous = placed.last, ly < previous + 36 { ly = previous + 36 }
                placed.append(ly)
            }
            // Keep the block inside the chart, moving it up as a whole if needed.
            if let lastY = placed.last, lastY + 18 > height { placed = placed.map { $0 - (lastY + 18 - height) } }
            let labelX = left + plotWidth + 10
            for (k, l) in labels.enumerated() {
                let ly = placed[k]
                // A short stroke of the series' own line style and marker ties the name to its line.
                let dash = l.series.style.dashArray.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                svg += "<line x1=\"\(l.x + 8)\" y1=\"\(l.y)\" x2=\"\(labelX)\" y2=\"\(ly)\" stroke=\"\(l.series.colour)\" stroke-width=\"1\"\(dash)/>\n"
                svg += text(l.series.name, x: labelX + 6, y: ly - 2, size: 14, bold: true, colour: l.series.colour)
                if endValues && !l.value.isEmpty { svg += text(l.value, x: labelX + 6, y: ly + 15, size: 13) }
            }
        }
        return svg + "</svg>"
    }
}
