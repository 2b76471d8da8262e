import RedistModel

/// Inline SVG charts, following the GSS chart guidance: a short title,
/// data labelled directly (no legend), no dual axes, and line styles and
/// patterns that survive black-and-white printing, never colour alone.
/// Each chart carries a text alternative; the report puts the same data
/// in a table beside it.
enum Charts {
    struct Bar {
        var label: String
        var value: Int64
        var valueLabel: String
        /// Redistributed bars are solid; retained ones are hatched.
        var solid: Bool
    }

    /// Horizontal bars, one per row, each labelled with its value.
    static func bars(_ bars: [Bar], title: String, description: String, id: String) -> String {
        let rowHeight = 30, labelWidth = 260, barWidth = 300, valueWidth = 110
        let width = labelWidth + barWidth + valueWidth
        let height = max(1, bars.count) * rowHeight + 10
        let maxValue = max(1, bars.map(\.value).max() ?? 1)
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="\(id)-title \(id)-desc" viewBox="0 0 \(width) \(height)" width="100%" style="max-width:\(width)px">
        <title id="\(id)-title">\(HTML.escape(title))</title>
        <desc id="\(id)-desc">\(HTML.escape(description))</desc>
        <defs><pattern id="\(id)-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#5b3f8c" stroke-width="3"/></pattern></defs>
        """
        for (i, bar) in bars.enumerated() {
            let y = i * rowHeight + 5
            let w = bar.value <= 0 ? 0 : max(2, Int(bar.value * Int64(barWidth) / maxValue))
            let fill = bar.solid ? "#1d5f8a" : "url(#\(id)-hatch)"
            svg += """
            <text x="\(labelWidth - 8)" y="\(y + 19)" text-anchor="end" font-size="14" fill="#1a1a1a">\(HTML.escape(bar.label))</text>
            <rect x="\(labelWidth)" y="\(y + 4)" width="\(w)" height="20" fill="\(fill)" stroke="#1a1a1a" stroke-width="1"/>
            <text x="\(labelWidth + w + 6)" y="\(y + 19)" font-size="14" fill="#1a1a1a">\(HTML.escape(bar.valueLabel))</text>
            """
        }
        return svg + "</svg>"
    }

    struct Point {
        var label: String
        /// Basis points (0.3944 is 3944); nil where the quarter had no spending.
        var value: Int64?
        var valueLabel: String
    }

    /// A line of the redistribution rate over quarters, 0–100%, each point labelled.
    static func rateLine(_ points: [Point], title: String, description: String, id: String) -> String {
        let left = 50, top = 20, plotWidth = max(1, points.count - 1) * 90, plotHeight = 180
        let width = left + plotWidth + 70, height = top + plotHeight + 60
        func y(_ v: Int64) -> Int { top + plotHeight - Int(v * Int64(plotHeight) / 10000) }
        func x(_ i: Int) -> Int { left + 20 + i * 90 }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="\(id)-title \(id)-desc" viewBox="0 0 \(width) \(height)" width="100%" style="max-width:\(width)px">
        <title id="\(id)-title">\(HTML.escape(title))</title>
        <desc id="\(id)-desc">\(HTML.escape(description))</desc>
        """
        for tick in stride(from: 0, through: 100, by: 25) {
            let ty = y(Int64(tick * 100))
            svg += """
            <line x1="\(left)" y1="\(ty)" x2="\(width - 20)" y2="\(ty)" stroke="#767676" stroke-width="1" stroke-dasharray="\(tick == 0 ? "0" : "2 4")"/>
            <text x="\(left - 6)" y="\(ty + 5)" text-anchor="end" font-size="13" fill="#1a1a1a">\(tick)%</text>
            """
        }
        var path = ""
        for (i, p) in points.enumerated() {
            guard let v = p.value else { continue }
            path += (path.isEmpty ? "M" : " L") + "\(x(i)) \(y(v))"
        }
        if !path.isEmpty {
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"#1d5f8a\" stroke-width=\"3\"/>"
        }
        for (i, p) in points.enumerated() {
            svg += "<text x=\"\(x(i))\" y=\"\(top + plotHeight + 22)\" text-anchor=\"middle\" font-size=\"13\" fill=\"#1a1a1a\">\(HTML.escape(p.label))</text>"
            guard let v = p.value else { continue }
            svg += """
            <circle cx="\(x(i))" cy="\(y(v))" r="5" fill="#ffffff" stroke="#1d5f8a" stroke-width="3"/>
            <text x="\(x(i))" y="\(y(v) - 12)" text-anchor="middle" font-size="13" font-weight="bold" fill="#1a1a1a">\(HTML.escape(p.valueLabel))</text>
            """
        }
        return svg + "</svg>"
    }
}
