/*
 * The floor for any libxml2 SAX2 reader: the push parser over a file with
 * handlers that do nothing but count elements and text bytes. redist's XML
 * readers cannot be faster than this on one core.
 *
 *   gcc -O2 $(xml2-config --cflags) bench/reference/libxml2_sax_floor.c $(xml2-config --libs) -o /tmp/sax_floor
 *   /usr/bin/time -f "%e s %M KB" /tmp/sax_floor bench/data/iati.xml
 */
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

static long elements = 0, text = 0;

static void start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri, int nNamespaces,
                  const xmlChar **namespaces, int nAttributes, int nDefaulted, const xmlChar **attributes) { elements++; }
static void end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri) {}
static void characters(void *ctx, const xmlChar *ch, int len) { text += len; }

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILE.xml\n", argv[0]); return 2; }
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = start;
    sax.endElementNs = end;
    sax.characters = characters;
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    char buffer[65536];
    size_t n = fread(buffer, 1, 4, f);
    xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(&sax, NULL, buffer, (int)n, argv[1]);
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
    while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) xmlParseChunk(ctxt, buffer, (int)n, 0);
    xmlParseChunk(ctxt, buffer, 0, 1);
    printf("elements %ld, text bytes %ld, well-formed %d\n", elements, text, ctxt->wellFormed);
    xmlFreeParserCtxt(ctxt);
    fclose(f);
    return 0;
}
