#!/usr/bin/env python3
"""Deterministic synthetic data for `make bench`.

Writes into bench/data/ (or --out):

  cashbook-1m.csv      a cash-book / general-ledger export in the shape of the
                       example pipeline's `cashbook` source (dd/mm/yyyy dates,
                       `1,234.56` amounts in quoted fields, contacts and details
                       with commas, doubled quotes and line breaks, a few
                       identical rows, UTF-8 with a BOM), 1,000,000 rows for the
                       financial year 2023/24
  scale-1x.csv …       the scaling run: 250,000, 1,000,000 and 4,000,000 rows of
  scale-16x.csv        the same shape (distinct rows: a file that repeats itself
                       would measure the duplicate numbering, not the load)
  iati.xml             an IATI-like activity file (150 MB+): activities with
                       titles, organisations and transactions
  book.gnucash         a GnuCash XML book (plain, not gzipped)
  camt053.xml          an ISO 20022 camt.053 bank statement

Only the Python standard library and a fixed seed: every run writes the same
bytes (the script prints each file's size; `--check` also prints SHA-256).
A file that already exists with the size recorded in bench/data/.sizes is not
written again, so a second `make bench` starts at once.
"""
import argparse
import datetime
import hashlib
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# The example pipeline's chart of accounts (pipelines/example.toml), with a
# suspense account no rule covers, so some money stays unclassified.
ACCOUNTS = [
    # code, name, direction, weight, typical pence range
    ("4000", "Grants from funders", "in", 2, (500_000, 5_000_000)),
    ("4010", "Unrestricted grants", "in", 1, (500_000, 3_000_000)),
    ("4100", "Donations", "in", 8, (500, 200_000)),
    ("4200", "Hosted project income", "in", 2, (1_000, 50_000)),
    ("4500", "Bank interest", "in", 1, (100, 5_000)),
    ("4900", "Hosting fee received", "in", 1, (20_000, 20_000)),
    ("5000", "Grants to groups", "out", 6, (50_000, 500_000)),
    ("5010", "Small costs", "out", 8, (500, 25_000)),
    ("5020", "Hosted project spending", "out", 4, (1_000, 80_000)),
    ("5030", "Lived experience payments", "out", 6, (2_500, 30_000)),
    ("5040", "Payments to groups for work", "out", 3, (5_000, 120_000)),
    ("5900", "Hosting fee", "out", 1, (20_000, 20_000)),
    ("6000", "Salaries", "out", 4, (150_000, 450_000)),
    ("6010", "Employer pension and NI", "out", 2, (20_000, 90_000)),
    ("6100", "Events and venues", "out", 5, (2_000, 150_000)),
    ("6110", "Travel", "out", 6, (500, 30_000)),
    ("6120", "Materials and printing", "out", 4, (500, 60_000)),
    ("7000", "Rent and premises", "out", 2, (50_000, 200_000)),
    ("7010", "IT and software", "out", 3, (1_000, 50_000)),
    ("7020", "Insurance", "out", 1, (10_000, 150_000)),
    ("7030", "Governance and audit", "out", 1, (10_000, 300_000)),
    ("7040", "Bank charges", "out", 2, (100, 5_000)),
    ("7999", "Suspense", "out", 1, (100, 100_000)),
]
FUNDS = ["GEN", "GEN", "GEN", "SCP", "TW-CC", "ML-PEER", "POOL-RG", "HOST-TL"]

PLACES = ["Ouse", "Tyne", "Wear", "Tees", "Humber", "Calder", "Aire", "Eden", "Lune", "Ribble", "Derwent", "Swale",
          "Nidd", "Wharfe", "Esk", "Coquet", "Kent", "Irwell", "Mersey", "Dove", "Trent", "Tame", "Hodder", "Ure"]
KINDS = ["Peer Support", "Hearing Voices", "Recovery Circle", "Rainbow Minds", "Carers", "Men's Shed",
         "Wellbeing Walkers", "Kinship Collective", "Survivors' Network", "Art Group", "Café Club", "Allotment"]
SUPPLIERS = ["Ashgrove Property Lettings", "Brightline IT Services", "Holloway & Reed Solicitors",
             "Northern Rail", "Stationery Direct Ltd", "Harbour Insurance, Ltd", 'The "Old Mill" Venue',
             "Café Nero", "Moorside Catering", "Parkhill Printers", "Fell & Dale Accountants",
             "HMRC", "NEST Pensions", "Standing order donors", "Tidewater Foundation", "Marlow Lane Trust",
             "Fellhouse Fund", "Brightwater Community Trust", "Northern Commons Foundation",
             "Lanternfield Community Lottery", "Co-operative Bank"]
FIRST = ["Amina", "Ben", "Chloe", "Dev", "Ewa", "Finn", "Grace", "Hamza", "Isla", "Jon", "Kemi", "Liam", "Maya",
         "Nia", "Owen", "Priya", "Rory", "Sade", "Tom", "Uma", "Vik", "Wren", "Yusuf", "Zoe"]
LAST = ["Ahmed", "Brown", "O'Connor", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Iqbal", "Jones", "Khan",
        "Lewis", "McKay", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor", "Walsh", "Young"]
PURPOSES = ["Outreach and new members", "Room hire, spring sessions", "Volunteer expenses", "Peer-led training",
            "Facilitation fee", 'Workshop "Speaking up", two sessions', "Printing, leaflets and posters",
            "Travel to regional gathering", "Small costs claim", "Quarterly payment", "Equipment, tea and coffee",
            "Annual grant, second instalment", "Refund of overpayment", "Monthly contract", "Café, lunch for 12"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def pounds(pence):
    """`1,234.56`: thousands separators, always two places."""
    return f"{pence // 100:,}.{pence % 100:02d}"


def quote(field):
    if any(c in field for c in ',"\n\r'):
        return '"' + field.replace('"', '""') + '"'
    return field


def contact_pool(rng):
    groups = [f"{p} {k}" for p in PLACES for k in KINDS]
    people = [f"{f} {l}" for f in FIRST for l in LAST]
    awkward = [f"{p}, {q} & District {k}" for p, q, k in zip(PLACES, reversed(PLACES), KINDS * 2)]
    return groups, people, SUPPLIERS + awkward


def cashbook_rows(rows, seed):
    """Yields CSV lines (str, with trailing newline) in date order."""
    rng = random.Random(seed)
    groups, people, suppliers = contact_pool(rng)
    weights = [a[3] for a in ACCOUNTS]
    cumulative = []
    total = 0
    for w in weights:
        total += w
        cumulative.append(total)
    start = datetime.date(2023, 4, 1)
    days = 366
    per_day = rows / days
    previous = None
    emitted = 0
    for d in range(days):
        date = start + datetime.timedelta(days=d)
        date_text = f"{date.day:02d}/{date.month:02d}/{date.year}"
        month = MONTHS[date.month - 1]
        n = int(per_day * (d + 1)) - int(per_day * d) if d < days - 1 else rows - emitted
        for _ in range(n):
            if previous is not None and rng.random() < 0.001:
                # Two identical payments on one day: both are real.
                yield previous
                emitted += 1
                continue
            r = rng.random() * total
            i = 0
            while cumulative[i] < r:
                i += 1
            code, name, direction, _, (lo, hi) = ACCOUNTS[i]
            pence = lo if lo == hi else rng.randrange(lo, hi)
            if code.startswith("50") and code != "5030":
                contact = rng.choice(groups)
            elif code in ("5030", "6000", "6010"):
                contact = rng.choice(people)
            else:
                contact = rng.choice(suppliers)
            purpose = rng.choice(PURPOSES)
            details = f"{purpose}, {month} {date.year}"
            if rng.random() < 0.01:
                details += "\nsee attached note"
            fund = "HOST-TL" if code in ("4200", "5020", "5900") else ("GEN" if code in ("4900", "6000", "6010", "7000") else rng.choice(FUNDS))
            reference = f"{code}-{rng.randrange(1, 10**7):07d}"
            amount = pounds(pence)
            paid_in, paid_out = (amount, "") if direction == "in" else ("", amount)
            line = ",".join([date_text, code, quote(name), fund, quote(contact), quote(details), reference,
                             quote(paid_in), quote(paid_out)]) + "\n"
            previous = line
            yield line
            emitted += 1


CASHBOOK_HEADER = "Date,Nominal Code,Nominal Name,Fund,Contact,Details,Reference,Paid In,Paid Out\n"


def write_cashbook(path, rows, seed):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\ufeff" + CASHBOOK_HEADER)
        batch = []
        for line in cashbook_rows(rows, seed):
            batch.append(line)
            if len(batch) >= 10000:
                f.write("".join(batch))
                batch.clear()
        f.write("".join(batch))


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def write_iati(path, activities, seed):
    """IATI 2.03 activities: each with a title, description, participating
    organisations and about 20 transactions of types 1-4 and 11."""
    rng = random.Random(seed)
    groups, _, _ = contact_pool(rng)
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write('<iati-activities version="2.03" generated-datetime="2024-04-01T00:00:00Z">\n')
        for a in range(activities):
            ident = f"GB-CHC-9990201-ACT-{a:07d}"
            out = [f' <iati-activity default-currency="GBP" last-updated-datetime="2024-03-31T12:00:00Z" xml:lang="en">\n',
                   f"  <iati-identifier>{ident}</iati-identifier>\n",
                   '  <reporting-org ref="GB-CHC-9990201" type="60"><narrative>Tidewater Foundation</narrative></reporting-org>\n',
                   f"  <title><narrative>{esc(rng.choice(PURPOSES))} &amp; community programme {a}</narrative></title>\n",
                   f'  <description type="1"><narrative>{esc(rng.choice(PURPOSES))}, grassroots groups in {rng.choice(PLACES)}.</narrative></description>\n',
                   '  <participating-org ref="GB-CHC-9990201" role="1" type="60"><narrative>Tidewater Foundation</narrative></participating-org>\n',
                   '  <activity-status code="2"/>\n',
                   '  <activity-date iso-date="2023-04-01" type="2"/>\n']
            for t in range(20):
                ttype = rng.choice(["1", "2", "3", "3", "3", "4", "11"])
                date = datetime.date(2023, 4, 1) + datetime.timedelta(days=rng.randrange(366))
                pence = rng.randrange(10_000, 5_000_000)
                receiver = "GB-CHC-9990012" if rng.random() < 0.3 else f"360G-BENCH-{rng.randrange(10**5):05d}"
                rname = "Northfield Peer Support Network" if receiver == "GB-CHC-9990012" else rng.choice(groups)
                out.append(f'  <transaction ref="{ident}-T{t:02d}">\n'
                           f'   <transaction-type code="{ttype}"/>\n'
                           f'   <transaction-date iso-date="{date.isoformat()}"/>\n'
                           f'   <value currency="GBP" value-date="{date.isoformat()}">{pence // 100}.{pence % 100:02d}</value>\n'
                           f'   <description><narrative>{esc(rng.choice(PURPOSES))}</narrative></description>\n'
                           f'   <provider-org ref="GB-CHC-9990201" provider-activity-id="{ident}"><narrative>Tidewater Foundation</narrative></provider-org>\n'
                           f'   <receiver-org ref="{receiver}"><narrative>{esc(rname)}</narrative></receiver-org>\n'
                           f'  </transaction>\n')
            out.append(" </iati-activity>\n")
            f.write("".join(out))
        f.write("</iati-activities>\n")


def guid(rng):
    return "%032x" % rng.getrandbits(128)


def write_gnucash(path, transactions, seed):
    """A GnuCash 2.x XML book: an account tree and two-split transactions."""
    rng = random.Random(seed)
    groups, people, suppliers = contact_pool(rng)
    root = guid(rng)
    bank = guid(rng)
    accounts = [(guid(rng), code, name, direction) for code, name, direction, _, _ in ACCOUNTS]
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8" ?>\n<gnc-v2\n'
                '     xmlns:gnc="http://www.gnucash.org/XML/gnc"\n     xmlns:act="http://www.gnucash.org/XML/act"\n'
                '     xmlns:book="http://www.gnucash.org/XML/book"\n     xmlns:cd="http://www.gnucash.org/XML/cd"\n'
                '     xmlns:cmdty="http://www.gnucash.org/XML/cmdty"\n     xmlns:slot="http://www.gnucash.org/XML/slot"\n'
                '     xmlns:split="http://www.gnucash.org/XML/split"\n     xmlns:trn="http://www.gnucash.org/XML/trn"\n'
                '     xmlns:ts="http://www.gnucash.org/XML/ts">\n'
                '<gnc:count-data cd:type="book">1</gnc:count-data>\n<gnc:book version="2.0.0">\n'
                f'<book:id type="guid">{guid(rng)}</book:id>\n'
                f'<gnc:count-data cd:type="account">{len(accounts) + 2}</gnc:count-data>\n'
                f'<gnc:count-data cd:type="transaction">{transactions}</gnc:count-data>\n')

        def account(g, name, kind, parent, code=""):
            f.write('<gnc:account version="2.0.0">\n'
                    f' <act:name>{esc(name)}</act:name>\n <act:id type="guid">{g}</act:id>\n <act:type>{kind}</act:type>\n'
                    ' <act:commodity>\n  <cmdty:space>CURRENCY</cmdty:space>\n  <cmdty:id>GBP</cmdty:id>\n </act:commodity>\n'
                    ' <act:commodity-scu>100</act:commodity-scu>\n'
                    + (f' <act:code>{code}</act:code>\n' if code else "")
                    + (f' <act:parent type="guid">{parent}</act:parent>\n' if parent else "")
                    + '</gnc:account>\n')

        account(root, "Root Account", "ROOT", None)
        account(bank, "Current Account", "BANK", root, "1200")
        for g, code, name, direction in accounts:
            account(g, name, "INCOME" if direction == "in" else "EXPENSE", root, code)
        start = datetime.date(2023, 4, 1)
        for t in range(transactions):
            g, code, name, direction = rng.choice(accounts)
            date = start + datetime.timedelta(days=t * 366 // transactions)
            pence = rng.randrange(500, 500_000)
            value = pence if direction == "out" else -pence
            description = f"{rng.choice(PURPOSES)} - {rng.choice(groups + suppliers)}"
            f.write('<gnc:transaction version="2.0.0">\n'
                    f' <trn:id type="guid">{guid(rng)}</trn:id>\n'
                    ' <trn:currency>\n  <cmdty:space>CURRENCY</cmdty:space>\n  <cmdty:id>GBP</cmdty:id>\n </trn:currency>\n'
                    f' <trn:num>{t + 1}</trn:num>\n'
                    f' <trn:date-posted>\n  <ts:date>{date.isoformat()} 10:59:00 +0000</ts:date>\n </trn:date-posted>\n'
                    f' <trn:date-entered>\n  <ts:date>{date.isoformat()} 11:00:00 +0000</ts:date>\n </trn:date-entered>\n'
                    f' <trn:description>{esc(description)}</trn:description>\n'
                    ' <trn:splits>\n'
                    f'  <trn:split>\n   <split:id type="guid">{guid(rng)}</split:id>\n   <split:reconciled-state>n</split:reconciled-state>\n'
                    f'   <split:value>{value}/100</split:value>\n   <split:quantity>{value}/100</split:quantity>\n'
                    f'   <split:account type="guid">{g}</split:account>\n  </trn:split>\n'
                    f'  <trn:split>\n   <split:id type="guid">{guid(rng)}</split:id>\n   <split:reconciled-state>c</split:reconciled-state>\n'
                    f'   <split:value>{-value}/100</split:value>\n   <split:quantity>{-value}/100</split:quantity>\n'
                    f'   <split:account type="guid">{bank}</split:account>\n  </trn:split>\n'
                    ' </trn:splits>\n</gnc:transaction>\n')
        f.write("</gnc:book>\n</gnc-v2>\n")


def write_camt053(path, entries, seed):
    """One camt.053.001.02 statement with booked entries and balances."""
    rng = random.Random(seed)
    groups, people, suppliers = contact_pool(rng)
    start = datetime.date(2023, 4, 1)
    opening = 5_000_000
    lines = []
    balance = opening
    for e in range(entries):
        date = start + datetime.timedelta(days=e * 366 // entries)
        pence = rng.randrange(500, 300_000)
        credit = rng.random() < 0.4
        balance += pence if credit else -pence
        party = rng.choice(groups + suppliers)
        tag = "Dbtr" if credit else "Cdtr"
        lines.append(
            "   <Ntry>\n"
            f"    <NtryRef>E{e:08d}</NtryRef>\n"
            f'    <Amt Ccy="GBP">{pence // 100}.{pence % 100:02d}</Amt>\n'
            f"    <CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>\n"
            "    <Sts>BOOK</Sts>\n"
            f"    <BookgDt><Dt>{date.isoformat()}</Dt></BookgDt>\n"
            f"    <ValDt><Dt>{date.isoformat()}</Dt></ValDt>\n"
            f"    <AcctSvcrRef>BANKREF{e:08d}</AcctSvcrRef>\n"
            "    <BkTxCd><Prtry><Cd>TRF</Cd><Issr>BANK</Issr></Prtry></BkTxCd>\n"
            "    <NtryDtls><TxDtls>\n"
            f"     <Refs><EndToEndId>{rng.choice(PURPOSES)[:20].replace(' ', '-').replace(',', '')}-{e}</EndToEndId></Refs>\n"
            f"     <RltdPties><{tag}><Nm>{esc(party)}</Nm></{tag}></RltdPties>\n"
            f"     <RmtInf><Ustrd>{esc(rng.choice(PURPOSES))}</Ustrd></RmtInf>\n"
            "    </TxDtls></NtryDtls>\n"
            "   </Ntry>\n")
    end = start + datetime.timedelta(days=365)
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n <BkToCstmrStmt>\n'
                '  <GrpHdr><MsgId>BENCH-0001</MsgId><CreDtTm>2024-04-01T06:00:00</CreDtTm></GrpHdr>\n'
                '  <Stmt>\n   <Id>STMT-2023-24</Id>\n   <CreDtTm>2024-04-01T06:00:00</CreDtTm>\n'
                f'   <FrToDt><FrDtTm>{start.isoformat()}T00:00:00</FrDtTm><ToDtTm>{end.isoformat()}T23:59:59</ToDtTm></FrToDt>\n'
                '   <Acct><Id><IBAN>GB33BUKB20201555555555</IBAN></Id><Ccy>GBP</Ccy></Acct>\n'
                '   <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>'
                f'<Amt Ccy="GBP">{opening // 100}.{opening % 100:02d}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
                f'<Dt><Dt>{start.isoformat()}</Dt></Dt></Bal>\n'
                '   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>'
                f'<Amt Ccy="GBP">{abs(balance) // 100}.{abs(balance) % 100:02d}</Amt><CdtDbtInd>{"CRDT" if balance >= 0 else "DBIT"}</CdtDbtInd>'
                f'<Dt><Dt>{end.isoformat()}</Dt></Dt></Bal>\n')
        f.write("".join(lines))
        f.write("  </Stmt>\n </BkToCstmrStmt>\n</Document>\n")


# name: (writer, arguments). Sizes are part of the recipe: change one and the
# file is written again.
FILES = {
    "cashbook-1m.csv": (write_cashbook, dict(rows=1_000_000, seed=7)),
    "scale-1x.csv": (write_cashbook, dict(rows=250_000, seed=11)),
    "scale-4x.csv": (write_cashbook, dict(rows=1_000_000, seed=11)),
    "scale-16x.csv": (write_cashbook, dict(rows=4_000_000, seed=11)),
    "iati.xml": (write_iati, dict(activities=14_000, seed=13)),
    "book.gnucash": (write_gnucash, dict(transactions=100_000, seed=17)),
    "camt053.xml": (write_camt053, dict(entries=100_000, seed=19)),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(HERE, "data"))
    parser.add_argument("--check", action="store_true", help="print each file's SHA-256")
    parser.add_argument("names", nargs="*", help="only these files (default: all)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    stamp_path = os.path.join(args.out, ".recipes")
    stamps = {}
    if os.path.exists(stamp_path):
        with open(stamp_path) as f:
            for line in f:
                name, _, rest = line.rstrip("\n").partition("\t")
                stamps[name] = rest
    for name in args.names or FILES:
        writer, kwargs = FILES[name]
        path = os.path.join(args.out, name)
        recipe = f"{writer.__name__}{sorted(kwargs.items())}"
        stamp = stamps.get(name, "")
        if os.path.exists(path) and stamp == f"{recipe}\t{os.path.getsize(path)}":
            print(f"{name}: up to date ({os.path.getsize(path) / 1e6:.1f} MB)", file=sys.stderr)
        else:
            started = datetime.datetime.now()
            writer(path, **kwargs)
            seconds = (datetime.datetime.now() - started).total_seconds()
            print(f"{name}: wrote {os.path.getsize(path) / 1e6:.1f} MB in {seconds:.1f} s", file=sys.stderr)
            stamps[name] = f"{recipe}\t{os.path.getsize(path)}"
            with open(stamp_path, "w") as f:
                for k, v in sorted(stamps.items()):
                    f.write(f"{k}\t{v}\n")
        if args.check:
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            print(f"{h.hexdigest()}  {name}")


if __name__ == "__main__":
    main()
