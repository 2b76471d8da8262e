/// The XML formats (IATI, GnuCash, camt.053), registered with the others.
let xmlReaders: [any SourceReader.Type] = []
