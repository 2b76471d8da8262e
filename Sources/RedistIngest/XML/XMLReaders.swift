/// The XML formats (IATI, GnuCash, camt.053), registered with the others.
nonisolated(unsafe) let xmlReaders: [any SourceReader.Type] = [
    IATIReader.self,
    GnuCashReader.self,
    Camt053Reader.self,
]
