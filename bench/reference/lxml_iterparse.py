#!/usr/bin/env python3
"""Reference: the XML jobs with lxml's iterparse, as a Python user would
stream a large file (clearing each element once it is used).

  iati      every <transaction>: its type code, its value in pence
  gnucash   every split on an INCOME or EXPENSE account: minus its value
  camt053   every booked <Ntry>: + for CRDT, - for DBIT

Prints figures.py's lines, totalled by kind (IATI type code, GnuCash
account type, camt.053 bank transaction code), as redist bench-ingest
--by kind does.

usage: lxml_iterparse.py iati|gnucash|camt053 FILE
"""
import sys
from fractions import Fraction

from lxml import etree

from figures import ledger_lines, pence


def add(totals, key, amount):
    entry = totals.setdefault(key, [0, 0, 0])
    entry[0] += 1
    if amount >= 0:
        entry[1] += amount
    else:
        entry[2] -= amount


def iati(path, totals):
    for _, tx in etree.iterparse(path, tag="transaction"):
        kind = tx.find("transaction-type").get("code")
        add(totals, kind, pence(tx.findtext("value")))
        tx.clear()
        while tx.getprevious() is not None:
            del tx.getparent()[0]


GNC = {"gnc": "http://www.gnucash.org/XML/gnc", "act": "http://www.gnucash.org/XML/act",
       "trn": "http://www.gnucash.org/XML/trn", "split": "http://www.gnucash.org/XML/split"}


def gnucash(path, totals):
    types = {}
    account_tag = "{%s}account" % GNC["gnc"]
    transaction_tag = "{%s}transaction" % GNC["gnc"]
    for _, el in etree.iterparse(path, tag=(account_tag, transaction_tag)):
        if el.tag == account_tag:
            types[el.findtext("act:id", namespaces=GNC)] = el.findtext("act:type", namespaces=GNC)
        else:
            for split in el.iterfind("trn:splits/trn:split", namespaces=GNC):
                kind = types.get(split.findtext("split:account", namespaces=GNC))
                if kind in ("INCOME", "EXPENSE"):
                    value = Fraction(split.findtext("split:value", namespaces=GNC))
                    add(totals, kind, -int(value * 100))
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]


def camt053(path, totals):
    ns = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
    q = lambda name: "{%s}%s" % (ns, name)
    for _, entry in etree.iterparse(path, tag=q("Ntry")):
        if entry.findtext(q("Sts")) == "BOOK":
            amount = pence(entry.findtext(q("Amt")))
            if entry.findtext(q("CdtDbtInd")) == "DBIT":
                amount = -amount
            kind = entry.findtext(f"{q('BkTxCd')}/{q('Prtry')}/{q('Cd')}")
            add(totals, kind, amount)
        entry.clear()
        while entry.getprevious() is not None:
            del entry.getparent()[0]


def main(kind, path):
    totals = {}
    {"iati": iati, "gnucash": gnucash, "camt053": camt053}[kind](path, totals)
    sys.stdout.write(ledger_lines(totals))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
