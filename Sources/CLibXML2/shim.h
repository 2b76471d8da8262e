// Debian's libxml2 headers include ICU's, whose UErrorCode clashes with the copy
// of ICU inside Foundation. Reading xmlversion.h first and switching ICU off
// keeps the two apart.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/dict.h>
#include <libxml/xmlIO.h>
// zlib: GnuCash books are usually gzip-compressed, and libxml2 reading through
// a callback does not inflate by itself.
#include <zlib.h>
