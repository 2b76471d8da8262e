import ArgumentParser
import Foundation
import RedistCore
import RedistIngest
import RedistModel
import RedistReports

/// `redist inspect [--format FORMAT] FILE`: one file's normalised records as
/// CSV on stdout, counts on stderr. Without `--format` the file is
/// identified as `redist init` identifies it (a plain CSV gets guessed
/// columns, which stderr shows as flags). A funder's file needs no
/// `--organisation`: without one every transaction is shown, and stderr
/// says how `--organisation` would narrow them. Mistakes are told in the
/// command's own flags (`--column`, `--option`, `--organisation`).
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one file's normalised records as CSV on stdout, and counts on stderr.")

    @Option(help: "The format: \(Readers.formats.joined(separator: ", ")) (default: identified from the file's content).")
    var format: String?

    @Option(help: "The role the file would play (default: the format's first; grants-in when --organisation is given).")
    var role: String?

    @Option(help: "The organisation's identifier: a funder's file then keeps only the grants and transactions to it.")
    var organisation: String?

    @Option(name: .customLong("column"), help: "A column mapping for format csv, as field=Header (repeatable).")
    var columns: [String] = []

    @Option(name: .customLong("option"), help: "A source option, as key=value (repeatable).")
    var sourceOptions: [String] = []

    @Option(help: "A pipeline file: amounts in another currency than its [organisation] currency are shown converted at its rates, with the original beside them.")
    var pipeline: String?

    @Argument(help: "The file.")
    var file: String

    static let funderFormats: Set<String> = ["360giving", "iati"]

    /// The reader the flags describe, and the notes on how it was chosen.
    func reader() throws -> (any SourceReader, [String]) {
        var notes: [String] = []
        var columnMap = try Self.pairs(columns, flag: "--column")
        var optionMap = try Self.pairs(sourceOptions, flag: "--option")
        let formatName: String
        var guessedRole: SourceRole? = nil
        if let format, !(format == "csv" && columnMap.isEmpty) {
            formatName = format
        } else {
            // Identified as redist init does; for --format csv with no --column, only the columns are guessed.
            switch PipelineDraft.identify(path: file, dateFormatGiven: optionMap["date_format"] != nil) {
            case .success(let found):
                if let format, format != found.format {
                    throw ValidationError("\(file): --format csv needs --column mappings (field=Header): none could be guessed, as the file reads as --format \(found.format)")
                }
                formatName = found.format
                guessedRole = found.role
                if columnMap.isEmpty && !found.columns.isEmpty {
                    columnMap = found.columns
                    notes.append("read as --format csv with " + found.columns.sorted { $0.key < $1.key }.map { "--column \($0.key)=\"\($0.value)\"" }.joined(separator: " "))
                } else {
                    notes.append("identified as --format \(found.format)")
                }
                for (k, v) in found.options where optionMap[k] == nil {
                    optionMap[k] = v
                    notes.append("--option \(k)=\(v) (inferred from the file)")
                }
            case .failure(let reason):
                throw ValidationError("\(file): the format could not be identified: \(reason) (name it with --format: \(Readers.formats.joined(separator: ", ")))")
            }
        }
        guard let reader = Readers.reader(for: formatName) else {
            throw ValidationError("--format \"\(formatName)\" is not one of \(Readers.formats.joined(separator: ", "))")
        }
        var sourceRole = guessedRole.flatMap { reader.roles.contains($0) ? $0 : nil } ?? reader.roles[0]
        if Self.funderFormats.contains(formatName) {
            if organisation != nil {
                sourceRole = .grantsIn
            } else {
                // Every grant or transaction, whoever receives it.
                sourceRole = formatName == "iati" ? .ledger : .grantsOut
                notes.append("every \(formatName == "iati" ? "transaction" : "grant") is shown; with --organisation ID only those to that organisation are kept, as a grants-in source keeps them")
            }
        }
        if let role {
            guard let r = SourceRole(rawValue: role), reader.roles.contains(r) else {
                throw ValidationError("--role \"\(role)\" is not one of \(reader.roles.map(\.rawValue).joined(separator: ", ")) for --format \(formatName)")
            }
            sourceRole = r
        }
        let configuration = ReaderConfiguration(sourceName: "inspect", role: sourceRole, columns: columnMap,
                                                options: optionMap, organisationId: organisation ?? "")
        do {
            return (try reader.init(configuration), notes)
        } catch {
            throw ValidationError(Self.inFlags("\(error)"))
        }
    }

    static func pairs(_ items: [String], flag: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "=") else { throw ValidationError("\(flag) \"\(item)\" should be key=value") }
            out[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return out
    }

    /// A reader's message about pipeline keys, told in this command's flags.
    static func inFlags(_ message: String) -> String {
        var m = message
        for (from, to) in [
            ("source \"inspect\": ", ""),
            ("the organisation's id ([organisation] id) or organisation_ref", "--organisation ID (or --option organisation_ref=ID)"),
            ("[source.columns] needs ", "it needs --column "),
            ("[source.columns] ", "--column "),
            (" in [source.options]", " (--option)"),
            ("[source.options] ", "--option "),
            ("date = \"<column header>\"", "date=\"<column header>\""),
        ] {
            m = m.replacingOccurrences(of: from, with: to)
        }
        return m
    }

    /// The pipeline's reporting currency and rates, when `--pipeline` is given.
    func pipelineConversion() throws -> CurrencyConversion? {
        guard let pipeline else { return nil }
        do {
            let p = try Pipeline.load(path: pipeline)
            return CurrencyConversion(currency: p.organisation.currency, rates: p.rates)
        } catch {
            throw ValidationError("--pipeline \(pipeline): \(error)")
        }
    }

    func run() throws {
        let (instance, notes) = try reader()
        for note in notes { log("\(file): note: \(note)") }
        let conversion = try pipelineConversion()
        let out = FileHandle.standardOutput
        var csv = CSVWriter(streamingHeader: inspectHeader + (conversion == nil ? [] : inspectConversionHeader))
        var movements = 0
        var currencies = Set<String>()
        /// What the record being handed over was before it was converted.
        var original: OriginalAmount? = nil
        let sink = RecordSink { record in
            let row = inspectRows(record)
            guard !row.isEmpty else { return }
            movements += 1
            currencies.insert(row[2])
            csv.row(conversion == nil ? row : row + inspectConversionFields(original))
            if csv.bytes.count > 1 << 16 { out.write(Data(csv.take())) }
        }
        var tally = CurrencyConversion.Tally()
        if let conversion {
            sink.validate = { record in
                original = nil
                let before = record
                if let problem = conversion.convert(&record, tally: &tally) { return problem }
                switch (before, record) {
                case (.movement, .movement(let m)): original = m.original
                case (.grant(let g), .grant(let converted)) where g.amountAwarded != converted.amountAwarded:
                    let rate = conversion.rates.rate(g.amountAwarded.currency, on: g.awardDate)!
                    original = OriginalAmount(amount: g.amountAwarded, rate: rate.rate, rateDate: rate.date, rateSource: rate.source)
                default: break
                }
                return nil
            }
        }
        do {
            try instance.read(path: file, displayPath: file, into: sink)
        } catch {
            out.write(Data(csv.take()))
            log(Self.inFlags("\(error)"))
            throw ExitCode(1)
        }
        out.write(Data(csv.take()))
        for d in sink.diagnostics where d.severity != .note { log(Self.inFlags(d.rendered)) }
        if let conversion {
            for note in conversion.notes(tally, file: file) { log(note.rendered) }
            if tally.rows.isEmpty { log("\(file): note: every amount is in \(conversion.currency.code), the pipeline's currency: nothing to convert") }
        } else if !currencies.isEmpty {
            log("\(file): note: amounts are shown unconverted, in the file's own currency (\(currencies.sorted().joined(separator: ", "))): with --pipeline FILE, those in another currency than its reporting one are converted at its rates")
        }
        log("\(file): rows read \(sink.rowsRead), loaded \(sink.rowsLoaded), rejected \(sink.rowsRejected), skipped \(sink.rowsSkipped); money movements \(movements)")
        if sink.rowsRejected > 0 { throw ExitCode(1) }
    }
}
