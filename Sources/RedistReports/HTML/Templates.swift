import Foundation
import Mustache

/// The report templates. The defaults are compiled into the command
/// (`reports/templates/` in the source tree, embedded by `make embed`), so
/// it works from any folder; staff may point it at an edited copy
/// (`--templates DIR` or `[reports] templates` in the pipeline file), made
/// with `redist templates copy DIR`.
public struct Templates {
    var library: MustacheLibrary
    /// Every template's text by file name (`trustees.mustache`): the defaults with the folder's files over them.
    public let texts: [String: String]
    /// Where the templates came from, for messages: the folder, or "the built-in templates".
    public let origin: String

    /// A template that is missing, cannot be read or does not parse: the
    /// configuration is wrong (exit status 2).
    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    /// The templates compiled into the command, by file name.
    public static var defaults: [String: String] { EmbeddedTemplates.files }

    /// The built-in templates, with the `.mustache` files of `directory`
    /// (when given) in place of the defaults of the same name. Every
    /// template must parse and every partial it includes must exist: a
    /// mistake is found here, before any data is read.
    public static func load(directory: String?) throws(Missing) -> Templates {
        var texts = defaults
        var origin = "the built-in templates"
        var fromFolder: Set<String> = []
        if let dir = directory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw Missing(description: "\(dir): error: the templates folder does not exist (make one with `redist templates copy \(dir)`, or fix --templates or [reports] templates in the pipeline file)")
            }
            let files: [String]
            do { files = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
                throw Missing(description: "\(dir): error: the templates folder cannot be read")
            }
            for file in files.sorted() where file.hasSuffix(".mustache") {
                guard texts[file] != nil else {
                    throw Missing(description: "\(dir)/\(file): error: redist has no template of this name (expected one of: \(defaults.keys.sorted().joined(separator: ", ")))")
                }
                guard let data = FileManager.default.contents(atPath: dir + "/" + file),
                      let text = String(data: data, encoding: .utf8) else {
                    throw Missing(description: "\(dir)/\(file): error: the template cannot be read as UTF-8 text")
                }
                texts[file] = text
                fromFolder.insert(file)
            }
            origin = dir
        }
        /// Where a template came from, as a path when it is the folder's.
        func place(_ file: String) -> String { fromFolder.contains(file) ? origin + "/" + file : "built-in template \(file)" }
        var library = MustacheLibrary()
        for (file, text) in texts.sorted(by: { $0.key < $1.key }) {
            // A phrase sits inside a sentence: the file's last line break is not part of it.
            var text = text
            if file.hasPrefix("phrase-"), text.hasSuffix("\n") { text.removeLast() }
            do {
                try library.register(text, named: String(file.dropLast(".mustache".count)))
            } catch let e as MustacheTemplate.ParserError {
                throw Missing(description: "\(place(file)):\(e.context.lineNumber):\(e.context.columnNumber): error: the template cannot be read: \(Self.explain(e.error))")
            } catch {
                throw Missing(description: "\(place(file)): error: the template cannot be read: \(error)")
            }
        }
        for (file, text) in texts.sorted(by: { $0.key < $1.key }) {
            for partial in partials(text) where texts[partial + ".mustache"] == nil {
                throw Missing(description: "\(place(file)): error: the template includes {{> \(partial)}}, but there is no template \(partial).mustache")
            }
        }
        return Templates(library: library, texts: texts, origin: origin)
    }

    /// What a Mustache parse error means, and what was expected.
    static func explain(_ error: Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: return "a {{/name}} closes a section of another name (expected the name its {{#name}} or {{^name}} opened)"
        case .unfinishedName?: return "a tag is not finished (expected }} after its name)"
        case .expectedSectionEnd?: return "a section is never closed (expected a {{/name}} for each {{#name}} and {{^name}})"
        case .invalidSetDelimiter?: return "a {{=…=}} delimiter tag is malformed"
        default: return "\(error)"
        }
    }

    /// The names of the partials a template includes (`{{> styles}}`).
    static func partials(_ text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{>") {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            names.append(rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// Writes the built-in templates into `directory` for staff to edit;
    /// refuses to overwrite a file that is there already. Returns the paths written.
    public static func copyDefaults(to directory: String) throws(Missing) -> [String] {
        let fm = FileManager.default
        let existing = defaults.keys.sorted().filter { fm.fileExists(atPath: directory + "/" + $0) }
        guard existing.isEmpty else {
            throw Missing(description: "\(directory)/\(existing[0]): error: the file is there already; redist does not overwrite templates (copy into a new folder, or move \(existing.count == 1 ? "it" : "these \(existing.count) files") away first)")
        }
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw Missing(description: "\(directory): error: the folder cannot be made: \(error.localizedDescription)")
        }
        var written: [String] = []
        for (file, text) in defaults.sorted(by: { $0.key < $1.key }) {
            let path = directory + "/" + file
            guard fm.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw Missing(description: "\(path): error: the file cannot be written")
            }
            written.append(path)
        }
        return written
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
