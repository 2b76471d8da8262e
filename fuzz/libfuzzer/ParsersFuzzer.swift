/// libFuzzer's entry point for the amount and date parsers, compiled into
/// one module with Sources/RedistModel (see fuzz/README.md):
///
///     swiftc -sanitize=fuzzer,address -parse-as-library -module-name RedistModel \
///       Sources/RedistModel/*.swift fuzz/libfuzzer/ParsersFuzzer.swift -o build/fuzz/parsers-fuzzer
///
/// The first byte picks the options (minor digits, decimal comma), the
/// rest is the text. Any input must be parsed or refused without a trap;
/// an amount that is read is printed plainly and must read back the same,
/// and a date that is read must print as a date that reads back the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let options = data[0]
    let text = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let digits = [0, 2, 3, 2][Int(options & 3)]
    let parser = AmountParser(digits: digits, decimalComma: options & 4 != 0)
    if let units = parser.parse(text) {
        precondition(units != Int64.min, "Int64.min has no positive counterpart")
        let plain = MoneyFormat.decimal(units, digits: digits)
        let again = AmountParser(digits: digits).parse(plain)
        precondition(again == units, "\(units) printed as \(plain) reads back as \(String(describing: again))")
    }
    let string = String(decoding: text, as: UTF8.self)
    for format in DateFormat.allCases {
        if let day = format.parse(Substring(string)) {
            precondition(Day(iso: day.description) == day, "\(day) does not read back")
        }
    }
    _ = Day(iso: string)
    return 0
}
