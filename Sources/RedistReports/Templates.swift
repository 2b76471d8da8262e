import Foundation
import Mustache

/// The report templates in `reports/templates/`, which staff may edit.
public struct Templates {
    var library: MustacheLibrary

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads every `.mustache` file of the folder. With no folder given it
    /// looks for `reports/templates` in the current folder and then beside
    /// the executable's checkout.
    public static func load(directory: String?) throws -> Templates {
        guard let dir = directory ?? defaultDirectory() else {
            throw Missing(description: "cannot find reports/templates (run from the project folder or pass --templates DIR)")
        }
        var library = MustacheLibrary()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        for file in files.sorted() where file.hasSuffix(".mustache") {
            var text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            // A phrase sits inside a sentence: the file's last line break is not part of it.
            if file.hasPrefix("phrase-"), text.hasSuffix("\n") { text.removeLast() }
            do {
                try library.register(text, named: String(file.dropLast(".mustache".count)))
            } catch {
                throw Missing(description: "\(dir)/\(file): error: the template cannot be read: \(error)")
            }
        }
        return Templates(library: library)
    }

    static func defaultDirectory() -> String? {
        let fm = FileManager.default
        var candidates = [fm.currentDirectoryPath + "/reports/templates"]
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(url.appendingPathComponent("reports/templates").path)
            url = url.deletingLastPathComponent()
        }
        return candidates.first { fm.fileExists(atPath: $0 + "/trustees.mustache") }
    }

    public func render(_ object: Any, template: String) throws -> String {
        guard let text = library.render(object, withTemplate: template) else {
            throw Missing(description: "no template named \(template).mustache")
        }
        return text
    }
}

/// The words of one chart, from a template such as `chart-where.mustache`:
/// one `name: text` line for each (its title, its description for screen
/// readers, the labels drawn on it). Blank lines and lines the template's
/// sections leave empty are ignored.
public struct ChartWords {
    public let template: String
    var lines: [String: String]

    public subscript(_ name: String) -> String {
        get throws {
            guard let text = lines[name] else {
                throw Templates.Missing(description: "\(template).mustache: error: no line \"\(name): …\"; the chart needs one (see the other charts' templates)")
            }
            return text
        }
    }
}

extension Templates {
    /// Renders a chart's words. The charts escape their own text, so the
    /// template's escaping is undone here, once.
    public func chartWords(_ template: String, _ model: Any) throws -> ChartWords {
        let text = try render(model, template: template)
        var lines: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" ") else { continue }
            lines[name] = Self.unescape(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return ChartWords(template: template, lines: lines)
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&#x2F;", with: "/")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
