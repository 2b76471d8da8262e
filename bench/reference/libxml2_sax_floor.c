/*
 * The floor for any libxml2 SAX2 reader: libxml2 over a file with handlers
 * that do nothing but count elements and text bytes. redist's XML readers
 * cannot be faster than this on one core.
 *
 * By default libxml2 pulls the file through a read callback
 * (xmlCreateIOParserCtxt + xmlParseDocument), as redist and xmllint read;
 * with --push the file is pushed to it in 64 KB chunks (xmlParseChunk),
 * which redist did before: the push interface looks ahead for the end of
 * every tag and text before parsing it, so it does more work for the same
 * events (compare the two under valgrind --tool=callgrind).
 *
 *   gcc -O2 $(xml2-config --cflags) bench/reference/libxml2_sax_floor.c $(xml2-config --libs) -o /tmp/sax_floor
 *   /usr/bin/time -f "%e s %M KB" /tmp/sax_floor bench/data/iati.xml
 *   /usr/bin/time -f "%e s %M KB" /tmp/sax_floor --push bench/data/iati.xml
 */
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

static long elements = 0, text = 0;

static void start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri, int nNamespaces,
                  const xmlChar **namespaces, int nAttributes, int nDefaulted, const xmlChar **attributes) { elements++; }
static void end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri) {}
static void characters(void *ctx, const xmlChar *ch, int len) { text += len; }

/* The read callback: libxml2 asks for a few thousand bytes at a time, served from a 64 KB buffer. */
static char chunk[65536];
static size_t chunkLength = 0, chunkOffset = 0;
static int readBytes(void *context, char *out, int length) {
    if (chunkOffset == chunkLength) {
        chunkLength = fread(chunk, 1, sizeof chunk, (FILE *)context);
        chunkOffset = 0;
        if (chunkLength == 0) return ferror((FILE *)context) ? -1 : 0;
    }
    size_t n = chunkLength - chunkOffset;
    if (n > (size_t)length) n = (size_t)length;
    memcpy(out, chunk + chunkOffset, n);
    chunkOffset += n;
    return (int)n;
}

int main(int argc, char **argv) {
    int push = argc == 3 && strcmp(argv[1], "--push") == 0;
    if (argc != 2 && !push) { fprintf(stderr, "usage: %s [--push] FILE.xml\n", argv[0]); return 2; }
    const char *path = argv[argc - 1];
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = start;
    sax.endElementNs = end;
    sax.characters = characters;
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 1; }
    xmlParserCtxtPtr ctxt;
    if (push) {
        char buffer[65536];
        size_t n = fread(buffer, 1, 4, f);
        ctxt = xmlCreatePushParserCtxt(&sax, NULL, buffer, (int)n, path);
        xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
        while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) xmlParseChunk(ctxt, buffer, (int)n, 0);
        xmlParseChunk(ctxt, buffer, 0, 1);
    } else {
        ctxt = xmlCreateIOParserCtxt(&sax, NULL, readBytes, NULL, f, XML_CHAR_ENCODING_NONE);
        xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
        xmlParseDocument(ctxt);
    }
    printf("elements %ld, text bytes %ld, well-formed %d\n", elements, text, ctxt->wellFormed);
    xmlFreeParserCtxt(ctxt);
    fclose(f);
    return 0;
}
