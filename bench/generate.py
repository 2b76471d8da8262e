#!/usr/bin/env python3
"""Deterministic synthetic data for `make bench`.

Writes into bench/data/ (or --out):

  cashbook-1m.csv      a cash-book / general-ledger export in the example
                       pipeline's `cashbook` columns, shaped like the corpus'
                       bookkeeping exports (../shared/corpus/accounting-csv):
                       every field quoted, CRLF line ends, a BOM, dd/mm/yyyy
                       dates, `£1,234.56` amounts, free-text details that are
                       nearly all distinct (commas, doubled quotes, line
                       breaks, accents), a unique reference on every row,
                       about 5,000 counterparties, eight funds; 1,000,000 rows
                       for the financial year 2023/24
  cashbook-4m.csv      the same shape, 4,000,000 rows (memory as the ledger grows)
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
# The pipeline's funders, each with the fund its grants go into.
FUNDERS = [("Tidewater Foundation", "TW-CC"), ("Marlow Lane Trust", "ML-PEER"), ("Fellhouse Fund", "POOL-RG"),
           ("Brightwater Community Trust", "POOL-RG")]
UNRESTRICTED_FUNDERS = ["Northern Commons Foundation", "Lanternfield Community Lottery"]

PLACES = ["Ouse", "Tyne", "Wear", "Tees", "Humber", "Calder", "Aire", "Eden", "Lune", "Ribble", "Derwent", "Swale",
          "Nidd", "Wharfe", "Esk", "Coquet", "Kent", "Irwell", "Mersey", "Dove", "Trent", "Tame", "Hodder", "Ure"]
TOWNS = ["Alnwick", "Barnsley", "Carlisle", "Darlington", "Durham", "Gateshead", "Halifax", "Harrogate", "Hexham",
         "Huddersfield", "Keighley", "Kendal", "Lancaster", "Leeds", "Morpeth", "Penrith", "Preston", "Redcar",
         "Ripon", "Rotherham", "Scarborough", "Selby", "Skipton", "Sunderland", "Thirsk", "Wakefield", "Whitby",
         "Wigan", "York", "Bradford", "Bolton", "Burnley", "Blyth", "Consett", "Stockton", "Hartlepool"]
KINDS = ["Peer Support", "Hearing Voices", "Recovery Circle", "Rainbow Minds", "Carers", "Men's Shed",
         "Wellbeing Walkers", "Kinship Collective", "Survivors' Network", "Art Group", "Café Club", "Allotment"]
GROUP_FORMS = ["", " Group", " CIC", " (North)", ", Friends of", " Collective", " & District", ' "Open Door"']
SUPPLIER_STEMS = ["Property Lettings", "IT Services", "Solicitors", "Catering", "Printers", "Accountants",
                  "Stationery", "Insurance Brokers", "Cleaning", "Minibus Hire", "Sound & Light", "Venue Hire",
                  "Web Design", "Payroll Bureau", "Coaches", "Signs, Banners", "Office Supplies", "Locksmiths"]
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
# The cash book's wider pools (the XML files keep the lists above, unchanged).
LEDGER_FIRST = FIRST + ["Aled", "Bethan",
         "Ciarán", "Dmitri", "Eilidh", "Fatima", "Gethin", "Hannah", "Imran", "Jess", "Kofi", "Leila", "Marek",
         "Niamh", "Oluwaseun", "Pádraig", "Rhiannon", "Siobhan", "Tariq", "Ursula", "Wojciech", "Xin", "Yasmin",
         "Zainab"]
LEDGER_LAST = LAST + ["Armstrong", "Bell", "Chowdhury", "Dobson", "Ellison", "Fenwick", "Grant", "Hussain", "Irving", "Jackson",
        "Kowalski", "Lindqvist", "Mensah", "Nkemelu", "Ó Súilleabháin", "Pearson", "Rahman", "Sutcliffe",
        "Thompson", "Ward", "Wilkinson", "Zhang"]
LEDGER_PURPOSES = PURPOSES + ["Taxi, member with access needs", "Zoom licence", "Childcare so members can attend",
            "Residential weekend, deposit", "Translation, leaflet in Polish & Urdu", "Phone top-ups for members",
            "Art materials", "Allotment seeds and tools", "DBS checks", "First aid course"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
BANK_TYPES = ["FPO", "BACS", "DD", "SO", "CHQ", "CARD", "TFR"]
NOTES = ["see attached note", "receipt to follow", 'member said "thank you" at the AGM', "split with the SCP claim",
         "approved by treasurer, 3 signatures"]


def pounds(pence):
    """`£1,234.56`: the pound sign, thousands separators, always two places."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def quote(field):
    if any(c in field for c in ',"\n\r'):
        return '"' + field.replace('"', '""') + '"'
    return field


def contact_pool(rng):
    """The XML files' counterparties (unchanged since their figures were first taken)."""
    groups = [f"{p} {k}" for p in PLACES for k in KINDS]
    people = [f"{f} {l}" for f in FIRST for l in LAST]
    awkward = [f"{p}, {q} & District {k}" for p, q, k in zip(PLACES, reversed(PLACES), KINDS * 2)]
    return groups, people, SUPPLIERS + awkward


def quote_all(field):
    """Every field in double quotes, as the bookkeeping exports in the corpus
    write them (a quote inside is doubled)."""
    return '"' + field.replace('"', '""') + '"'


def ledger_pool():
    """Thousands of counterparties: 2,304 groups, 2,112 people, 655 suppliers
    (the pipeline's funders are added where grants are paid in)."""
    groups = [f"{p} {k}{form}" for p in PLACES for k in KINDS for form in GROUP_FORMS]
    people = [f"{f} {l}" for f in LEDGER_FIRST for l in LEDGER_LAST]
    suppliers = [f"{t} {s}" + (" Ltd" if i % 3 == 0 else "") for i, (t, s) in
                 enumerate((t, s) for t in TOWNS for s in SUPPLIER_STEMS)]
    suppliers += ["HMRC", "NEST Pensions", "Co-operative Bank", "Northern Rail", "Café Nero", 'The "Old Mill" Venue',
                  "Harbour Insurance, Ltd"]
    return groups, people, suppliers


def skewed(rng, pool):
    """A counterparty from `pool`, the first ones far more often (a few
    suppliers and groups recur all year; most appear a handful of times)."""
    return pool[int(len(pool) * rng.random() ** 2)]


def cashbook_rows(rows, seed):
    """Yields CSV lines (str, each ending in CRLF) in date order.

    Shaped like the corpus' bookkeeping exports: every field quoted, `£`
    amounts with thousands separators, free-text details that are nearly all
    distinct (bank narrative, invoice numbers, notes with commas, doubled
    quotes and line breaks), a reference no other row has, thousands of
    counterparties, eight funds."""
    rng = random.Random(seed)
    groups, people, suppliers = ledger_pool()
    groups = rng.sample(groups, len(groups))
    people = rng.sample(people, len(people))
    suppliers = rng.sample(suppliers, len(suppliers))
    weights = [a[3] for a in ACCOUNTS]
    cumulative = []
    total = 0
    for w in weights:
        total += w
        cumulative.append(total)
    start = datetime.date(2023, 4, 1)
    days = 366
    per_day = rows / days
    emitted = 0
    # References: a bijection of the row number onto 0..10^9-1, so every row
    # has its own and they do not run in order.
    stride = 387_420_489  # 3^18, coprime with 10^9
    for d in range(days):
        date = start + datetime.timedelta(days=d)
        date_text = f"{date.day:02d}/{date.month:02d}/{date.year}"
        short_date = f"{date.day:02d}{MONTHS[date.month - 1][:3].upper()}{date.year % 100:02d}"
        month = MONTHS[date.month - 1]
        n = int(per_day * (d + 1)) - int(per_day * d) if d < days - 1 else rows - emitted
        for _ in range(n):
            r = rng.random() * total
            i = 0
            while cumulative[i] < r:
                i += 1
            code, name, direction, _, (lo, hi) = ACCOUNTS[i]
            pence = lo if lo == hi else rng.randrange(lo, hi)
            fund = None
            if code == "4000":
                contact, fund = FUNDERS[rng.randrange(len(FUNDERS))]
            elif code == "4010":
                contact, fund = rng.choice(UNRESTRICTED_FUNDERS), "GEN"
            elif code in ("4100", "5030", "6000", "6010"):
                contact = skewed(rng, people)
            elif code in ("4200", "4900", "5900"):
                contact = "Tideline Hearing Voices Collective"
            elif code in ("4500", "7040"):
                contact, fund = "Co-operative Bank", "GEN"
            elif code.startswith("50"):
                contact = skewed(rng, groups)
            else:
                contact = skewed(rng, suppliers)
            if fund is None:
                fund = ("HOST-TL" if code in ("4200", "5020", "5900") else
                        "GEN" if code in ("4900", "6000", "6010", "7000") else rng.choice(FUNDS))
            kind = BANK_TYPES[rng.randrange(len(BANK_TYPES))]
            roll = rng.random()
            if code in ("6000", "6010"):
                details = f"Payroll {month} {date.year}, {contact} (employee {rng.randrange(1, 400):03d})"
            elif code == "4100" and roll < 0.3:
                details = "Standing order, monthly gift"  # the one text many rows share
            elif roll < 0.5:
                details = (f"{kind} {contact.upper()[:18]} {rng.randrange(10**5, 10**6)} {short_date}, "
                           f"{rng.choice(LEDGER_PURPOSES)}")
            else:
                details = f"{rng.choice(LEDGER_PURPOSES)}, {month} {date.year}, inv {rng.randrange(1, 10**5):05d}"
            if rng.random() < 0.01:
                details += "\n" + rng.choice(NOTES)
            reference = f"{kind}-{(emitted * stride + seed) % 10**9:09d}"
            amount = pounds(pence)
            paid_in, paid_out = (amount, "") if direction == "in" else ("", amount)
            yield ",".join(quote_all(x) for x in (date_text, code, name, fund, contact, details, reference,
                                              paid_in, paid_out)) + "\r\n"
            emitted += 1


CASHBOOK_HEADER = '"Date","Nominal Code","Nominal Name","Fund","Contact","Details","Reference","Paid In","Paid Out"\r\n'


def write_cashbook(path, rows, seed, shape):
    """`shape` names the version of the rows' recipe: a new one rewrites the file."""
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


# name: (writer, arguments). Sizes are part of the recipe: change one (or the
# cash book's `shape`) and the file is written again.
FILES = {
    "cashbook-1m.csv": (write_cashbook, dict(rows=1_000_000, seed=7, shape=2)),
    "cashbook-4m.csv": (write_cashbook, dict(rows=4_000_000, seed=11, shape=2)),
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
