#!/usr/bin/env python3
"""Generate redist's fictional sample data for FY 2023/24.

Northfield Peer Support Network (GB-CHC-9990012) is a made-up
infrastructure charity: it receives grants and donations and passes money
on to user-led mental-health peer groups.  Every organisation, person and
charity number here is invented.

The script first builds the list of *true* transactions (the ground truth),
then writes them into the ledger exports (a spreadsheet cashbook for
April-September, a GnuCash book for October-December, overlapping Xero
exports for January-March), the member register, funders' 360Giving files,
Fellhouse Fund's IATI file, the grants-out register, a camt.053 bank
statement for January-March and ``expected.csv`` (the ground-truth figures
per quarter and scope).  It ends by reading every file back and checking it
against the ground truth, deliberate differences included.

Python 3.11 standard library only.  Deterministic: a fixed seed and no
clock, so the same script always writes byte-identical files.

    python3 sample-data/generate.py
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import gzip
import io
import random
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
rng = random.Random(20231)

FY_START = dt.date(2023, 4, 1)
FY_END = dt.date(2024, 3, 31)

ORG_ID = "GB-CHC-9990012"
ORG_NAME = "Northfield Peer Support Network"

# Month names spelled out here so the output never depends on the locale.
MONTH_ABBR = ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_NAME = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]

# --------------------------------------------------------------------------
# Chart of accounts
# --------------------------------------------------------------------------

ACCOUNTS = {
    "4000": "Grant income (restricted)",
    "4010": "Grant income (unrestricted)",
    "4100": "Donations",
    "4200": "Hosted project income",
    "4500": "Bank interest",
    "4900": "Hosting fee income",
    "5000": "Grants to groups",
    "5010": "Small costs payments",
    "5020": "Hosted project spending",
    "5030": "Expertise payments to members",
    "5040": "Payments to groups for their work",
    "5900": "Hosting fee charged",
    "6000": "Salaries",
    "6010": "Employer NI and pension",
    "6100": "Events and training",
    "6110": "Travel",
    "6120": "Materials",
    "7000": "Rent and premises",
    "7010": "IT and software",
    "7020": "Insurance",
    "7030": "Governance and audit",
    "7040": "Bank charges",
    "7999": "Suspense",
}
INCOME_ACCOUNTS = {"4000", "4010", "4100", "4200", "4500", "4900"}

# The category mapping that pipelines/example.toml implements.
CATEGORY = {
    "4000": "income.grant", "4010": "income.grant", "4100": "income.donation",
    "4200": "income.hosted", "4500": "income.other", "4900": "transfer",
    "5000": "redistributed.grant", "5010": "redistributed.small-costs",
    "5020": "redistributed.hosted", "5030": "redistributed.payment",
    "5040": "redistributed.payment", "5900": "retained.hosting-fee",
    "6000": "retained.staff", "6010": "retained.staff",
    "6100": "retained.programme", "6110": "retained.programme", "6120": "retained.programme",
    "7000": "retained.overhead", "7010": "retained.overhead", "7020": "retained.overhead",
    "7030": "retained.overhead", "7040": "retained.overhead",
    "7999": "unclassified",
}

FUNDS = ["GEN", "SCP", "TW-CC", "ML-PEER", "POOL-RG", "HOST-TL"]

# --------------------------------------------------------------------------
# Funders (all fictional)
# --------------------------------------------------------------------------

FUNDERS = [
    ("GB-CHC-9990201", "Tidewater Foundation"),
    ("GB-CHC-9990202", "Marlow Lane Trust"),
    ("GB-CHC-9990203", "Fellhouse Fund"),
    ("GB-CHC-9990204", "Brightwater Community Trust"),
    ("GB-CHC-9990205", "Northern Commons Foundation"),
    ("GB-CHC-9990206", "Lanternfield Community Lottery"),
]
FUNDER_NAME = dict(FUNDERS)

# --------------------------------------------------------------------------
# Member register
# --------------------------------------------------------------------------

NE, YH, NW, WM, LDN, SW = ("North East", "Yorkshire and the Humber", "North West",
                           "West Midlands", "London", "South West")
UL = "user-led"
RC, YP, LG, RU, HV = "racialised communities", "young people", "LGBTQ+", "rural", "hearing voices"

# (name, region, characteristics, consent date or None)
GROUPS = [
    ("Harbour Voices Peer Group", NE, [UL, HV], "2023-02-14"),
    ("Wearside Sisters Wellbeing Circle", NE, [UL, RC], None),
    ("Coalfield Young Minds Collective", NE, [UL, YP], "2023-05-09"),
    ("Tyne Rainbow Peer Support", NE, [UL, LG], None),
    ("Durham Dales Peer Network", NE, [UL, RU], "2022-11-30"),
    ("Café Connect Wellbeing Group", NE, [UL, RC], "2023-03-21"),
    ("Northumbrian Open Door Peers", NE, [UL, RU], None),
    ("Seaton Shore Men's Talking Group", NE, [UL, HV], None),
    ("Blyth Estuary Young Voices", NE, [UL, YP, LG], None),
    ("Calder Valley Peer Circle", YH, [UL, RU], "2023-06-15"),
    ("Humber Kinship Collective", YH, [UL, RC], None),
    ("Aire Street Unity Peers", YH, [UL, RC], None),
    ("Sheaf Street Young Voices", YH, [UL, YP], "2023-01-18"),
    ("Wolds Rural Wellbeing Link", YH, [UL, RU], None),
    ("Pennine Hearing Voices Network", YH, [UL, HV], None),
    ("Ouse Bridge Rainbow Minds", YH, [UL, LG], None),
    ("Mersey Rainbow Minds", NW, [UL, LG], "2023-04-04"),
    ("Lune Valley Peer Support", NW, [UL, RU], None),
    ("Irwell Street Collective", NW, [UL, RC], None),
    ("Fylde Coast Young Peers", NW, [UL, YP], None),
    ("Pendle Sisters Circle", NW, [UL, RC], "2023-07-12"),
    ("Ribble Hearing Voices Group", NW, [UL, HV], None),
    ("Black Country Peer Voices", WM, [UL, RC], None),
    ("Severn Rural Peer Link", WM, [UL, RU], "2023-09-05"),
    ("Wrekin Young Minds", WM, [UL, YP], None),
    ("Tame Valley Rainbow Peers", WM, [UL, LG], None),
    ("Lea Bridge Peer Collective", LDN, [UL, RC], "2022-10-03"),
    ("Deptford Creek Rainbow Peers", LDN, [UL, LG], None),
    ("Tamar Valley Hearing Voices", SW, [UL, HV], None),
    ("Quantock Rural Peer Circle", SW, [UL, RU], None),
]
# Groups that joined late and receive nothing in the year (two of them are
# awarded grants in Feb-Mar 2024 that are not yet paid).
NO_MONEY = ["Ouse Bridge Rainbow Minds", "Tame Valley Rainbow Peers", "Quantock Rural Peer Circle"]

HOSTED = ("360G-NPSN-H001", "Tideline Hearing Voices Collective", NE, [UL, HV], "2022-09-01")

PEOPLE = [
    "Joanne Whitlock", "Delroy Campbell", "Siobhán Kearney", "Tariq Mahmood",
    "Bethan Lloyd", "Kwame Mensah-Owusu", "Lucy Fairbairn", "Marek Nowicki",
]

GROUP_ID = {g[0]: f"360G-NPSN-G{i + 1:03d}" for i, g in enumerate(GROUPS)}
GROUP_REGION = {g[0]: g[1] for g in GROUPS}
PAYABLE_GROUPS = [g[0] for g in GROUPS if g[0] not in NO_MONEY]

# --------------------------------------------------------------------------
# Transactions
# --------------------------------------------------------------------------


@dataclass
class Txn:
    date: dt.date
    account: str
    fund: str
    contact: str
    details: str
    reference: str
    pence: int          # always positive; direction from the account
    seq: int = 0        # generation order, for stable sorting
    source: str = ""    # Xero "Source" column

    @property
    def inflow(self) -> bool:
        return self.account in INCOME_ACCOUNTS

    def key(self):
        return (self.date, self.account, self.fund, self.contact, self.details, self.pence)


class Ledger:
    def __init__(self):
        self.txns: list[Txn] = []
        self.keys: set = set()
        self.twins = 0

    def add(self, date, account, fund, contact, details, reference, pence, *, twin_ok=False, source=""):
        assert pence > 0, (account, details, pence)
        assert account in ACCOUNTS and fund in FUNDS
        t = Txn(working_day(date), account, fund, contact, details, reference, pence, source=source)
        if twin_ok:
            self.twins += 1
        else:
            # Content must be unique (the twin pair aside): move a clash to
            # the next working day.
            while t.key() in self.keys:
                t.date = working_day(t.date + dt.timedelta(days=1))
        self.keys.add(t.key())
        t.seq = len(self.txns)
        self.txns.append(t)
        return t


def working_day(d: dt.date) -> dt.date:
    """The date itself, or the next Monday for a weekend (the previous Friday
    at the very end of the financial year)."""
    if d.weekday() < 5:
        return d
    nxt = d + dt.timedelta(days=7 - d.weekday())
    if nxt > FY_END:
        return d - dt.timedelta(days=d.weekday() - 4)
    return nxt


def months():
    """(year, month) for each month of the financial year."""
    y, m = 2023, 4
    for _ in range(12):
        yield y, m
        m += 1
        if m == 13:
            y, m = y + 1, 1


def rand_day(y, m, lo=1, hi=None):
    hi = hi or calendar.monthrange(y, m)[1]
    return dt.date(y, m, rng.randint(lo, hi))


def rand_date(start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def pounds(lo, hi, step=1):
    """Random whole-pound-ish amount in pence between lo and hi pounds."""
    return rng.randint(lo // step, hi // step) * step * 100


def pence_between(lo, hi):
    return rng.randint(int(lo * 100), int(hi * 100))


def month_label(y, m):
    return f"{MONTH_NAME[m]} {y}"


L = Ledger()

# ---- Funders' instalments -------------------------------------------------

FUNDER_GRANTS = {
    # funder id: (grant id, fund, account, [(date, pounds)], awarded, award date, programme, title)
    "GB-CHC-9990201": ("360G-TIDEWATER-2023-014", "TW-CC", "4000",
                       [((2023, 4, 12), 35000), ((2023, 7, 11), 25000), ((2023, 10, 10), 25000), ((2024, 1, 9), 20000)],
                       210000, "2023-02-22", "Community Infrastructure",
                       "Community Constellations: small grants and development support for user-led groups"),
    "GB-CHC-9990202": ("360G-MARLOWLANE-2023-0087", "ML-PEER", "4000",
                       [((2023, 4, 20), 35000), ((2023, 9, 14), 30000), ((2024, 1, 18), 20000)],
                       170000, "2023-03-08", "Peer Support Programme",
                       "Peer support across the North: co-ordination, grants and lived-experience payments"),
    "GB-CHC-9990203": ("360G-FELLHOUSE-23-112", "POOL-RG", "4000",
                       [((2023, 4, 14), 24000), ((2023, 11, 2), 16000)],
                       40000, "2023-03-17", "Regional Groups Pool",
                       "Pooled fund for regional user-led groups (with Brightwater Community Trust)"),
    "GB-CHC-9990204": ("BCT-2023-PG-07", "POOL-RG", "4000",
                       [((2023, 5, 18), 15000), ((2023, 12, 5), 15000)],
                       30000, "2023-04-02", "", ""),
    "GB-CHC-9990205": ("NCF-UR-2023-031", "GEN", "4010",
                       [((2023, 4, 5), 30000), ((2023, 10, 3), 30000)],
                       60000, "2023-02-01", "", ""),
    "GB-CHC-9990206": ("LCL-2023-5521", "GEN", "4010",
                       [((2023, 6, 6), 30000), ((2023, 9, 5), 25000), ((2024, 1, 10), 20000)],
                       75000, "2023-05-10", "", ""),
}
MARLOW_DIFFERENCE = 25000  # pence: Marlow Lane says it disbursed £250 more

for fid, (gid, fund, acct, instalments, *_rest) in FUNDER_GRANTS.items():
    n = len(instalments)
    for i, ((y, m, d), amount) in enumerate(instalments, 1):
        kind = "restricted" if acct == "4000" else "unrestricted"
        L.add(dt.date(y, m, d), acct, fund, FUNDER_NAME[fid],
              f"{FUNDER_NAME[fid]} {kind} grant, instalment {i} of {n}", gid, amount * 100,
              source="Receive Money")

# ---- Salaries, employer NI and pension ------------------------------------

ROLES = [  # (role, fund, monthly salary in pounds)
    ("Director", "GEN", 3300.00),
    ("Finance and Admin Officer (0.6 FTE)", "GEN", 1312.50),
    ("Members and Small Grants Officer", "GEN", 2150.00),
    ("Peer Support Coordinator", "ML-PEER", 2600.00),
    ("Community Development Worker", "TW-CC", 2350.00),
    ("Regional Groups Officer (0.6 FTE)", "POOL-RG", 1410.00),
]
for y, m in months():
    uplift = 1.05 if (y, m) >= (2023, 10) else 1.0  # cost-of-living rise from October
    pay_day = dt.date(y, m, 25)
    ni = {f: 0 for f in FUNDS}
    pension = {f: 0 for f in FUNDS}
    for i, (role, fund, salary) in enumerate(ROLES, 1):
        p = int(round(salary * uplift * 100))
        L.add(pay_day, "6000", fund, "Payroll", f"Salary {month_label(y, m)} - {role}",
              f"PAY-{y % 100:02d}{m:02d}-{i:02d}", p, source="Spend Money")
        ni[fund] += max(0, round((p - 75800) * 0.138))
        pension[fund] += round(p * 0.03)
    day = dt.date(y, m, 19) if m != 12 else dt.date(y, m, 18)
    for fund in FUNDS:
        if ni[fund]:
            L.add(day, "6010", fund, "PAYE and NIC payment", f"Employer NI {month_label(y, m)}",
                  f"NIC-{y % 100:02d}{m:02d}-{fund}", ni[fund], source="Spend Money")
            L.add(day, "6010", fund, "Staff pension scheme", f"Employer pension contribution {month_label(y, m)}",
                  f"PEN-{y % 100:02d}{m:02d}-{fund}", pension[fund], source="Spend Money")

# ---- Overheads (GEN) ------------------------------------------------------

for y, m in months():
    ml = month_label(y, m)
    L.add(dt.date(y, m, 1), "7000", "GEN", "Ashgrove Property Lettings", f"Office rent {ml}, Unit 4 Bridge Works",
          f"RENT-{y % 100:02d}{m:02d}", 135000, source="Spend Money")
    L.add(rand_day(y, m, 8, 14), "7000", "GEN", "Kittiwake Cleaning Services", f"Office cleaning {ml}",
          f"KCS-{y % 100:02d}{m:02d}", pence_between(140, 165), source="Spend Money")
    L.add(dt.date(y, m, 3), "7010", "GEN", "Brightline IT Services", f"IT support contract {ml}",
          f"BIT-{y % 100:02d}{m:02d}", 18500, source="Spend Money")
    L.add(dt.date(y, m, 15), "7010", "GEN", "Cloudsuite Nonprofit Licences",
          f"Email, office and video-call licences, {ml}", f"CSL-{y % 100:02d}{m:02d}",
          9600 if (y, m) < (2023, 9) else 11200, source="Spend Money")
    L.add(dt.date(y, m, 28) if m != 2 else dt.date(y, m, 27), "7040", "GEN", "Coastal Mutual Bank",
          f"Account fees {ml}", f"BANK-{y % 100:02d}{m:02d}", pence_between(14, 38), source="Spend Money")
for i, (y, m) in enumerate([(2023, 6), (2023, 9), (2023, 12), (2024, 3)], 1):
    L.add(rand_day(y, m, 10, 20), "7000", "GEN", "Brightgrid Energy", f"Electricity, quarter {i}",
          f"BGE-Q{i}", pence_between(380, 620), source="Spend Money")
    L.add(dt.date(y, m, 30 if m != 12 else 29), "4500", "GEN", "Coastal Mutual Bank", f"Interest, quarter {i}",
          f"INT-Q{i}", pence_between(290, 460), source="Receive Money")
L.add(dt.date(2023, 4, 18), "7020", "GEN", "Northgate Insurance Brokers",
      "Annual premium: public liability, employers' liability, trustee indemnity", "NIB-2324", 198000,
      source="Spend Money")
L.add(dt.date(2023, 11, 7), "7020", "GEN", "Northgate Insurance Brokers",
      "Mid-term adjustment, hosted project activities added", "NIB-2324-A1", 21450, source="Spend Money")
L.add(dt.date(2023, 9, 26), "7030", "GEN", "Ellison Moor Chartered Accountants",
      "Independent examination of 2022/23 accounts", "EMCA-1187", 360000, source="Spend Money")
L.add(dt.date(2023, 9, 12), "7030", "GEN", "St Hilda's Community Rooms", "AGM room hire and refreshments",
      "AGM-2023", 18500, source="Spend Money")
L.add(dt.date(2024, 2, 20), "7030", "GEN", "Charity Governance Learning", "Trustee induction training, 4 places",
      "CGL-0442", 48000, source="Spend Money")
for y, m in [(2023, 5), (2023, 7), (2023, 10), (2024, 1), (2024, 3)]:
    L.add(rand_day(y, m, 5, 25), "7030", "GEN", "Trustee expense claim",
          f"Trustee travel to board meeting, {MONTH_NAME[m]}", f"TEC-{y % 100:02d}{m:02d}",
          pence_between(35, 140), source="Spend Money")
for d, what, amt in [((2023, 6, 21), "Replacement laptop for Peer Support Coordinator", 64900),
                     ((2023, 11, 14), "Two laptops, including setup", 131800),
                     ((2024, 2, 6), "Website hosting and domain renewal, 12 months", 26400)]:
    L.add(dt.date(*d), "7010", "GEN", "Brightline IT Services", what, f"BIT-X{d[1]:02d}", amt, source="Spend Money")

# ---- Donations: small-costs pot (SCP) and general (GEN) --------------------

d = dt.date(2023, 4, 4)
week = 1
while d <= FY_END:
    if d >= dt.date(2023, 4, 1):
        L.add(d, "4100", "SCP", "GiveOnline payouts", f"Online donations to the small-costs pot, week {week}",
              f"GOP-{week:03d}", pence_between(180, 520), source="Receive Money")
    d += dt.timedelta(days=7)
    week += 1
for y, m in months():
    L.add(dt.date(y, m, 2), "4100", "GEN", "Standing order donors", f"Regular donations {month_label(y, m)}",
          f"SOD-{y % 100:02d}{m:02d}", pence_between(610, 760), source="Receive Money")
COMMUNITY_DONORS = [
    ("Harbourside Round Table", "Proceeds of the Harbourside beer festival, for the small-costs pot", (900, 2400)),
    ("Northfield Methodist Fellowship", "Harvest collection for the small-costs pot", (250, 700)),
    ("Quayside Runners", "Sponsored 10k, for the small-costs pot", (600, 1800)),
    ("Moorview Primary School PTA", "Non-uniform day collection", (120, 380)),
    ("Kestrel Office Supplies", "Staff charity of the year donation", (500, 1500)),
    ("Holloway & Reed Solicitors", "Charity of the year, quarterly payment", (750, 1250)),
    ("Cash collection", "Cash and cheques banked, network day bucket collection", (60, 240)),
]
for i in range(24):
    donor, what, (lo, hi) = COMMUNITY_DONORS[i % len(COMMUNITY_DONORS)]
    L.add(rand_date(FY_START, FY_END), "4100", "SCP" if i % 3 else "GEN", donor, what,
          f"DON-{i + 1:03d}", pounds(lo, hi, 5), source="Receive Money")
# The spring appeal that set the small-costs pot up for the year.
L.add(dt.date(2023, 4, 3), "4100", "SCP", "Spring appeal donors",
      "Spring appeal, gifts to the small-costs pot", "APPEAL-23", 650000, source="Receive Money")
for i, (y, m, day) in enumerate([(2023, 6, 27), (2023, 9, 27), (2023, 12, 19), (2024, 3, 26)], 1):
    L.add(dt.date(y, m, day), "4100", "GEN", "Gift Aid claim", f"Gift Aid repayment, claim {i}",
          f"GA-2324-{i}", pence_between(420, 880), source="Receive Money")

# ---- Grants to groups (5000) and the grants-out register -------------------

PROGRAMME = {"TW-CC": "Community Constellations", "ML-PEER": "Peer Support Grants",
             "POOL-RG": "Regional Groups Fund", "GEN": "Open Door Grants"}
GRANT_PURPOSES = [
    ("Weekly peer support meetings", "Room hire, refreshments and volunteer expenses for weekly peer support meetings"),
    ("Peer support sessions 2023/24", "A year of peer support sessions, including travel for members and facilitator training"),
    ("Creative wellbeing workshops", "A series of creative wellbeing workshops run by and for members"),
    ("Outreach and new members", "Outreach to reach new members, with leaflets, taster sessions and a welcome pack"),
    ("Online and in-person meetings", "Keeping online meetings going alongside in-person sessions, with devices and data"),
    ("Group development", "Time and support to write a constitution, open a bank account and plan the year"),
    ("Residential weekend", "A residential weekend for members: travel, accommodation and facilitation"),
    ("Peer facilitator training", "Training four members as peer facilitators"),
]


@dataclass
class GrantOut:
    recipient: str
    fund: str
    amount: int
    award: dt.date
    title: str
    description: str
    pay: dt.date | None = None     # planned payment date; None = awarded, not yet paid
    ident: str = ""
    txn: Txn | None = None         # the ledger payment


grants_out: list[GrantOut] = []

# Grant rounds: (award window, funds to draw on, number of grants)
ROUNDS = [
    ((dt.date(2023, 3, 6), dt.date(2023, 3, 24)), [("TW-CC", 3), ("ML-PEER", 2), ("GEN", 1)]),
    ((dt.date(2023, 5, 22), dt.date(2023, 6, 16)), [("TW-CC", 3), ("ML-PEER", 2), ("POOL-RG", 4)]),
    ((dt.date(2023, 8, 21), dt.date(2023, 9, 15)), [("TW-CC", 3), ("ML-PEER", 2), ("POOL-RG", 4), ("GEN", 2)]),
    ((dt.date(2023, 11, 6), dt.date(2023, 11, 30)), [("TW-CC", 4), ("ML-PEER", 2), ("POOL-RG", 4), ("GEN", 1)]),
    ((dt.date(2024, 1, 22), dt.date(2024, 2, 9)), [("TW-CC", 3), ("ML-PEER", 2), ("POOL-RG", 3), ("GEN", 1)]),
]
POOL_REGIONS = {NW, YH, WM}
recipients_cycle = PAYABLE_GROUPS[:]
rng.shuffle(recipients_cycle)
cycle_pos = 0


def next_recipient(fund):
    global cycle_pos
    for _ in range(len(recipients_cycle)):
        g = recipients_cycle[cycle_pos % len(recipients_cycle)]
        cycle_pos += 1
        if fund != "POOL-RG" or GROUP_REGION[g] in POOL_REGIONS:
            return g
    raise AssertionError("no recipient")


for (a0, a1), plan in ROUNDS:
    for fund, n in plan:
        for _ in range(n):
            g = next_recipient(fund)
            title, desc = rng.choice(GRANT_PURPOSES)
            amount = rng.choice([500, 750, 1000, 1200, 1500, 1800, 2000, 2500, 3000, 3500, 4000, 5000]) * 100
            award = rand_date(a0, a1)
            grants_out.append(GrantOut(g, fund, amount, award, title, desc))
# Paid 7-60 days after the award.
grants_out.sort(key=lambda go: (go.award, go.recipient))
for i, go in enumerate(grants_out, 1):
    pay = working_day(go.award + dt.timedelta(days=rng.randint(7, 45)))
    if pay < FY_START:  # a March award: paid in the new financial year's first weeks
        pay = working_day(rand_date(dt.date(2023, 4, 3), go.award + dt.timedelta(days=45)))
    while (pay - go.award).days < 7:
        pay = working_day(pay + dt.timedelta(days=1))
    go.pay = pay
# Four grants awarded in Feb-Mar 2024 and not yet paid: "committed".
COMMITTED = [
    ("Ouse Bridge Rainbow Minds", "TW-CC", 200000, dt.date(2024, 2, 26), GRANT_PURPOSES[5]),
    ("Tame Valley Rainbow Peers", "POOL-RG", 150000, dt.date(2024, 3, 4), GRANT_PURPOSES[3]),
    ("Harbour Voices Peer Group", "ML-PEER", 250000, dt.date(2024, 3, 12), GRANT_PURPOSES[1]),
    ("Lune Valley Peer Support", "POOL-RG", 300000, dt.date(2024, 3, 20), GRANT_PURPOSES[6]),
]
for g, fund, amount, award, (title, desc) in COMMITTED:
    grants_out.append(GrantOut(g, fund, amount, award, title, desc))
grants_out.sort(key=lambda go: (go.award, go.recipient))
for i, go in enumerate(grants_out, 1):
    go.ident = f"360G-NPSN-GO-{i:04d}"
    if go.pay is not None:
        pay = go.pay
        assert pay <= FY_END
        go.txn = L.add(pay, "5000", go.fund, go.recipient, f"{PROGRAMME[go.fund]} - {go.title}",
                       go.ident, go.amount, source="Spend Money")
        assert 7 <= (go.txn.date - go.award).days <= 60, go.ident

# ---- Small-costs payments (5010) from the ringfenced pot --------------------

SMALL_COSTS = [
    ("Room hire £{a} deposit", None),
    ("Room hire for weekly meeting, {m}", None),
    ("Refreshments for peer support meetings, {m}", (20, 75)),
    ("Bus and tram fares for members, {m}", (20, 110)),
    ("Art materials for creative session", (25, 90)),
    ("Printing leaflets, 500 copies", (45, 120)),
    ("Childcare so members could attend, {m}", (40, 160)),
    ("Video-call subscription, 3 months", (36, 45)),
    ("Taxi for a member with mobility needs", (20, 65)),
    ("Interpreter for group session", (90, 240)),
    ("Mobile data top-ups for members, {m}", (20, 60)),
    ("Walking group: flasks, waterproofs and first aid kit", (60, 180)),
    ("Food for shared meal at {m} meeting", (30, 120)),
    ("Bank account opening costs and cheque book", (20, 35)),
    ("Zine printing, issue {n}", (40, 150)),
]
group_weights = [rng.choice([1, 2, 3, 5, 8]) for _ in PAYABLE_GROUPS]
cafe_connect_done = False
for i in range(300):
    y, m = list(months())[min(11, i * 12 // 300)]
    date = rand_day(y, m)
    g = rng.choices(PAYABLE_GROUPS, weights=group_weights)[0]
    if not cafe_connect_done:
        g, date, cafe_connect_done = "Café Connect Wellbeing Group", dt.date(2023, 4, 11), True
    template, rangepounds = rng.choice(SMALL_COSTS)
    if g == "Café Connect Wellbeing Group" and date == dt.date(2023, 4, 11):
        template = "Room hire £{a} deposit"
        amount, details = 4000, "Room hire £40 deposit"
    elif template.startswith("Room hire £"):
        a = rng.choice([25, 30, 40, 50])
        amount = a * 100
        details = template.format(a=a)
    elif template.startswith("Room hire for"):
        amount = rng.choice([48, 60, 72, 96, 120, 144]) * 100
        details = template.format(m=MONTH_NAME[m])
    else:
        lo, hi = rangepounds
        amount = pence_between(lo, hi) if rng.random() < 0.6 else pounds(lo, hi)
        details = template.format(m=MONTH_NAME[m], n=rng.randint(2, 9))
    L.add(date, "5010", "SCP", g, details, f"SC-{i + 1:04d}", amount, source="Spend Money")

# ---- Hosted project: Tideline Hearing Voices Collective (HOST-TL) ----------

TL = HOSTED[1]
L.add(dt.date(2023, 4, 6), "4200", "HOST-TL", "Saltmarsh Community Chest",
      "Grant to Tideline Hearing Voices Collective, 2023/24", "SCC-TL-2023", 900000, source="Receive Money")
L.add(dt.date(2023, 10, 17), "4200", "HOST-TL", "Saltmarsh Community Chest",
      "Grant to Tideline Hearing Voices Collective, second payment", "SCC-TL-2023B", 400000, source="Receive Money")
for y, m in months():
    L.add(rand_day(y, m, 3, 9), "4200", "HOST-TL", "GiveOnline payouts",
          f"Tideline online donations {month_label(y, m)}", f"GOP-TL-{y % 100:02d}{m:02d}",
          pence_between(140, 420), source="Receive Money")
for i, (date, what, amt) in enumerate([
        ((2023, 6, 12), "Sponsored swim proceeds, Tideline", 186250),
        ((2023, 7, 24), "Tideline quiz night, ticket sales", 41200),
        ((2023, 9, 18), "Harbourside Round Table gift to Tideline", 150000),
        ((2023, 12, 11), "Tideline winter craft fair, stall takings", 63875),
        ((2024, 2, 19), "Tideline sponsored walk proceeds", 124500),
        ((2024, 3, 15), "Tideline members' bake sale", 18640)], 1):
    L.add(dt.date(*date), "4200", "HOST-TL", "Tideline fundraising", what, f"TLF-{i:02d}", amt,
          source="Receive Money")
HOSTED_SPEND = [
    ("Riverside Community Centre", "Room hire, Tideline weekly group, {m}", (120, 180)),
    ("Seaglass Facilitation Ltd", "Hearing voices facilitation, {m} sessions", (240, 480)),
    ("Harbour Road Café", "Refreshments, Tideline meetings, {m}", (35, 95)),
    ("Quayside Print", "Tideline leaflets and posters", (60, 210)),
    ("Moorland Retreat Centre", "Tideline residential weekend, deposit", (300, 600)),
    ("Swiftfare Rail Booking", "Rail fares, Tideline members to regional gathering", (80, 260)),
    ("Kestrel Office Supplies", "Art and journaling materials for Tideline", (25, 120)),
]
for y, m in months():
    for j in range(rng.randint(5, 8)):
        contact, template, (lo, hi) = HOSTED_SPEND[0 if j == 0 else (1 if j == 1 else rng.randint(2, 6))]
        L.add(rand_day(y, m), "5020", "HOST-TL", contact, template.format(m=MONTH_NAME[m]),
              f"TL-{y % 100:02d}{m:02d}-{j + 1}", pence_between(lo, hi), source="Spend Money")
    # The monthly hosting fee: out of Tideline's fund, into general funds.
    fee_day = working_day(dt.date(y, m, 28) if m != 2 else dt.date(y, m, 27))
    ref = f"HF-{y}-{m:02d}"
    L.add(fee_day, "5900", "HOST-TL", ORG_NAME, f"Hosting fee {month_label(y, m)}: finance, HR and insurance for Tideline",
          ref, 20000, source="Manual Journal")
    L.add(fee_day, "4900", "GEN", TL, f"Hosting fee {month_label(y, m)} from Tideline Hearing Voices Collective",
          ref, 20000, source="Manual Journal")

# ---- Expertise payments to individuals (5030) -------------------------------

EXPERTISE = [
    ("Lived experience panel, grants assessment, {h} hrs", "hour"),
    ("Co-facilitating peer support training, {h} hrs", "hour"),
    ("Advisory group meeting, {m}", "fixed"),
    ("Reviewing the members' handbook, {h} hrs", "hour"),
    ("Speaking at the regional gathering", "fixed"),
    ("Interview panel, Peer Support Coordinator post, half day", "half"),
    ("Co-designing the Hearing Voices awareness session, day rate", "day"),
]
for i in range(160):
    y, m = list(months())[min(11, i * 12 // 160)]
    person = rng.choice(PEOPLE)
    template, kind = rng.choice(EXPERTISE)
    h = rng.randint(1, 6)
    if kind == "hour":
        amount = 25 * h * 100
    elif kind == "fixed":
        amount = rng.choice([25, 50]) * 100
    elif kind == "half":
        amount = 7500
    else:
        amount = 15000
    amount = min(amount, 15000)
    fund = rng.choices(["ML-PEER", "TW-CC", "GEN"], weights=[5, 3, 2])[0]
    L.add(rand_day(y, m), "5030", fund, person, template.format(h=h, m=MONTH_NAME[m]),
          f"EXP-{i + 1:04d}", amount, source="Spend Money")

# ---- Payments to groups for their work (5040) -------------------------------

GROUP_WORK = [
    "Hosting the regional network meeting",
    "Co-delivering Hearing Voices awareness session",
    "Consultation on our grants process, 6 members",
    "Peer-led session at the members' gathering",
    "Co-writing the peer support toolkit, chapter {n}",
    "Running the welcome table at the AGM",
]
for i in range(32):
    g = rng.choice(PAYABLE_GROUPS)
    fund = rng.choices(["GEN", "TW-CC", "ML-PEER"], weights=[3, 3, 2])[0]
    L.add(rand_date(dt.date(2023, 4, 10), dt.date(2024, 3, 28)), "5040", fund, g,
          rng.choice(GROUP_WORK).format(n=rng.randint(1, 8)), f"GW-{i + 1:03d}",
          rng.choice([150, 200, 250, 300, 400, 450, 600, 750, 900]) * 100, source="Spend Money")

# Make sure every payable group received something.
received = {t.contact for t in L.txns if t.account in ("5000", "5010", "5040")}
for i, g in enumerate([g for g in PAYABLE_GROUPS if g not in received]):
    L.add(rand_date(dt.date(2023, 5, 1), dt.date(2024, 2, 28)), "5010", "SCP", g,
          "Room hire for taster session", f"SC-X{i + 1:02d}", pounds(30, 90), source="Spend Money")

# ---- Programme: events, travel, materials ------------------------------------

EVENT_SUPPLIERS = [
    ("St Hilda's Community Rooms", "Venue hire, {r} network day", (180, 420)),
    ("Harbour Road Café", "Catering for peer support training, {n} people", (90, 380)),
    ("Signbridge Interpreters", "BSL interpreters, {r} regional gathering", (240, 520)),
    ("Open Circle Training Co-op", "Trainer fee, safeguarding for peer groups, {n} places", (350, 900)),
    ("Moorland Retreat Centre", "Members' gathering, day delegate rate, {n} people", (600, 1800)),
    ("Riverside Community Centre", "Room hire, grants information session", (60, 140)),
]
REGIONS = [NE, YH, NW, WM, LDN, SW]
for i in range(48):
    contact, template, (lo, hi) = rng.choice(EVENT_SUPPLIERS)
    fund = rng.choices(["TW-CC", "ML-PEER", "POOL-RG", "GEN"], weights=[4, 3, 2, 2])[0]
    L.add(rand_date(dt.date(2023, 4, 12), dt.date(2024, 3, 27)), "6100", fund, contact,
          template.format(r=rng.choice(REGIONS), n=rng.randint(8, 30)), f"EV-{i + 1:03d}",
          pence_between(lo, hi), source="Spend Money")
TRAVEL = [
    ("Staff expense claim", "Mileage, visits to groups in {r}, {n} miles", "mileage"),
    ("Swiftfare Rail Booking", "Rail tickets, staff to {r} network day", (24, 180)),
    ("Staff expense claim", "Parking and bus fares, group visits", (6, 28)),
]
for i in range(80):
    contact, template, how = rng.choice(TRAVEL)
    fund = rng.choices(["GEN", "TW-CC", "ML-PEER", "POOL-RG"], weights=[3, 3, 3, 2])[0]
    n = rng.randint(18, 240)
    amount = round(n * 45) if how == "mileage" else pence_between(*how)
    L.add(rand_date(dt.date(2023, 4, 5), dt.date(2024, 3, 28)), "6110", fund, contact,
          template.format(r=rng.choice(REGIONS), n=n), f"TRV-{i + 1:03d}", amount, source="Spend Money")
for i in range(30):
    person = rng.choice(PEOPLE)
    L.add(rand_date(dt.date(2023, 4, 5), dt.date(2024, 3, 28)), "6110", rng.choice(["ML-PEER", "GEN"]), person,
          "Travel reimbursement, peer panel day", f"TRM-{i + 1:03d}", pence_between(8, 65), source="Spend Money")
# The identical twins: two £50 reimbursements, same person, same day, same
# everything, entered as two lines.  Both are real and must count twice.
for _ in range(2):
    L.add(dt.date(2023, 6, 14), "6110", "ML-PEER", "Delroy Campbell", "Travel reimbursement, return fare to peer panel",
          "", 5000, twin_ok=True, source="Spend Money")
MATERIALS = [
    ("Quayside Print", "Printing annual report, 200 copies", (180, 420)),
    ("Quayside Print", "Grant guidance leaflets, easy read", (90, 260)),
    ("Kestrel Office Supplies", "Stationery, flipchart pads and pens", (18, 95)),
    ("Kestrel Office Supplies", "Resource packs for new member groups, {n} packs", (60, 240)),
    ("Paper Lantern Crafts", "Art materials for members' gathering", (40, 160)),
]
for i in range(48):
    contact, template, (lo, hi) = rng.choice(MATERIALS)
    fund = rng.choices(["GEN", "TW-CC", "ML-PEER"], weights=[4, 3, 2])[0]
    L.add(rand_date(dt.date(2023, 4, 5), dt.date(2024, 3, 28)), "6120", fund, contact,
          template.format(n=rng.randint(5, 20)), f"MAT-{i + 1:03d}", pence_between(lo, hi), source="Spend Money")

# ---- Text that exercises the CSV readers -----------------------------------

# A double quote (April, in the Windows-1252 file) and an embedded line
# break (August, in the UTF-8 files).
L.add(dt.date(2023, 5, 16), "6100", "TW-CC", "St Hilda's Community Rooms",
      'Venue hire for "Voices in Common" network day, Durham', "EV-Q01", 38500, source="Spend Money")
L.add(dt.date(2023, 8, 9), "5010", "SCP", "Pendle Sisters Circle",
      "Bus fares for members to the regional gathering,\nreceipts in folder 7", "SC-NL1", 8640, source="Spend Money")

# ---- Suspense (7999): no rule classifies these -------------------------------

for date, contact, details, amt in [
        ((2023, 5, 30), "", "Card payment, no receipt: query with bank", 4799),
        ((2023, 8, 22), "Unknown payee", "Direct debit CLR*SVC 0442, not recognised", 1250),
        ((2023, 11, 20), "", "Payment reference illegible, to be coded", 48000),
        ((2023, 12, 14), "Unknown payee", "Card payment online, awaiting invoice", 8999),
        ((2024, 2, 13), "", "Cheque 100482, stub missing", 17500),
        ((2024, 3, 22), "Unknown payee", "Faster payment out, no remittance", 6300)]:
    L.add(dt.date(*date), "7999", "GEN", contact, details, f"SUS-{date[1]:02d}{date[2]:02d}", amt, source="Spend Money")

# ---- For the bank statement (January - March 2024) ---------------------------

# A second pair of identical twins, in January 2024: two £50 reimbursements,
# same person, same day, same everything, no reference.  They sit twice in both
# Xero exports and twice on the bank statement, and must match two to two.
TWINS_2024 = (dt.date(2024, 1, 24), "6110", "ML-PEER", "Lucy Fairbairn",
              "Travel reimbursement, return fare to peer panel", "", 5000)
for _ in range(2):
    L.add(*TWINS_2024, twin_ok=True, source="Spend Money")

# One small-costs payment in late March went out by cheque and had not been
# presented when the bank statement was made: it is in the ledger only.
UNPRESENTED_CHEQUE = "SC-0285"
_cheque = next(t for t in L.txns if t.reference == UNPRESENTED_CHEQUE)
assert (_cheque.date, _cheque.pence, _cheque.contact) == (dt.date(2024, 3, 25), 5200, "Café Connect Wellbeing Group")
_cheque.details += ", paid by cheque 100517"

# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

TXNS = sorted(L.txns, key=lambda t: (t.date, t.seq))


def money(p: int, thousands=True) -> str:
    """Pence as `1,250.00` (or `1250.00`)."""
    sign, p = ("-", -p) if p < 0 else ("", p)
    s = f"{p // 100:,}" if thousands else f"{p // 100}"
    return f"{sign}{s}.{p % 100:02d}"


def quarter(d: dt.date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def write_csv(path: Path, rows, encoding="utf-8", newline="\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


# ---- members.csv ------------------------------------------------------------

members = [["Identifier", "Name", "Kind", "Region", "Characteristics", "Consent to be named", "Consent date"]]
for name, region, chars, consent in GROUPS:
    members.append([GROUP_ID[name], name, "member-group", region, ";".join(chars),
                    "yes" if consent else "no", consent or ""])
hid, hname, hregion, hchars, hconsent = HOSTED
members.append([hid, hname, "hosted-project", hregion, ";".join(hchars), "yes", hconsent])
for i, person in enumerate(PEOPLE, 1):
    members.append([f"360G-NPSN-P{i:03d}", person, "individual", "", "", "no", ""])
write_csv(HERE / "members.csv", members)

# ---- Cashbook exports (April - September) -----------------------------------

CASHBOOK_HEADER = ["Date", "Nominal Code", "Nominal Name", "Fund", "Contact", "Details", "Reference",
                   "Paid In", "Paid Out"]


def cashbook_row(t: Txn):
    amount = money(t.pence)
    return [t.date.strftime("%d/%m/%Y"), t.account, ACCOUNTS[t.account], t.fund, t.contact, t.details,
            t.reference, amount if t.inflow else "", "" if t.inflow else amount]


# Bad rows (not in the ground truth): an impossible amount and an impossible
# date.  They sort where staff would have typed them.
BAD_ROWS = [
    (dt.date(2023, 8, 14), ["14/08/2023", "6120", "Materials", "GEN", "Kestrel Office Supplies",
                            "Envelopes and stamps", "MAT-BAD", "", "12.3.4"]),
    (dt.date(2023, 8, 31), ["31/02/2023", "5010", "Small costs payments", "SCP", "Wrekin Young Minds",
                            "Refreshments for peer support meetings, August", "SC-BAD", "", "35.00"]),
]


def cashbook_rows(start, end, bad=False):
    items = [((t.date, 0, t.seq), cashbook_row(t)) for t in TXNS if start <= t.date <= end]
    if bad:
        items += [((d, 1, i), row) for i, (d, row) in enumerate(BAD_ROWS) if start <= d <= end]
    items.sort(key=lambda x: x[0])
    return [CASHBOOK_HEADER] + [row for _, row in items]


Q2 = (dt.date(2023, 4, 1), dt.date(2023, 6, 30))
Q3 = (dt.date(2023, 7, 1), dt.date(2023, 9, 30))
H1 = (dt.date(2023, 4, 1), dt.date(2023, 9, 30))
Q4 = (dt.date(2023, 10, 1), dt.date(2023, 12, 31))
JAN = (dt.date(2024, 1, 1), dt.date(2024, 1, 31))
Q1 = (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
EXPORTS = HERE / "exports"
write_csv(EXPORTS / "cashbook-2023-Q2.csv", cashbook_rows(*Q2), encoding="cp1252", newline="\r\n")
write_csv(EXPORTS / "cashbook-2023-Q3.csv", cashbook_rows(*Q3, bad=True), encoding="utf-8-sig")
write_csv(EXPORTS / "cashbook-2023-H1-ytd.csv", cashbook_rows(*H1, bad=True), encoding="utf-8-sig")

# ---- Xero Account Transactions exports (October - March) ---------------------

XERO_HEADER = ["Date", "Source", "Contact", "Description", "Reference", "Debit", "Credit", "Running Balance",
               "Gross", "Tax", "Fund"]


def short_date(d: dt.date) -> str:
    """Xero's `02 Oct 2023`, independent of the locale."""
    return f"{d.day:02d} {MONTH_ABBR[d.month]} {d.year}"


def long_date(d: dt.date) -> str:
    return f"{d.day} {MONTH_NAME[d.month]} {d.year}"


def xero_rows(start, end):
    """Sections per account with activity in the period, income first.  The
    opening balance is the account's movement so far this financial year
    (brought across from the cashbook and the GnuCash book when the books
    moved to Xero)."""
    blank = [""] * (len(XERO_HEADER) - 1)
    rows = [["Account Transactions"], [ORG_NAME], [f"For the period {long_date(start)} to {long_date(end)}"], [],
            XERO_HEADER]
    for code in sorted(ACCOUNTS):
        txns = [t for t in TXNS if t.account == code and start <= t.date <= end]
        if not txns:
            continue
        heading = f"{code} - {ACCOUNTS[code]}"
        balance = sum(t.pence for t in TXNS if t.account == code and FY_START <= t.date < start)
        rows.append([heading] + blank)
        rows.append(["Opening Balance"] + [""] * 6 + [money(balance)] + ["", "", ""])
        debit = credit = 0
        for t in txns:
            if t.inflow:
                credit += t.pence
                dr, cr = "", money(t.pence)
            else:
                debit += t.pence
                dr, cr = money(t.pence), ""
            balance += t.pence
            rows.append([short_date(t.date), t.source, t.contact, t.details, t.reference, dr, cr,
                         money(balance), money(t.pence), "0.00", t.fund])
        rows.append([f"Total {heading}", "", "", "", "", money(debit), money(credit), "", "", "", ""])
        rows.append(["Closing Balance"] + [""] * 6 + [money(balance)] + ["", "", ""])
    return rows


write_csv(EXPORTS / "xero-2024-01.csv", xero_rows(*JAN))
write_csv(EXPORTS / "xero-2024-Q1.csv", xero_rows(*Q1))
# Older layouts of this folder had Xero files for October onwards.
for stale in ("xero-2023-Q4.csv", "xero-2024-ytd.csv"):
    (EXPORTS / stale).unlink(missing_ok=True)

# ---- GnuCash book (October - December 2023) ----------------------------------
#
# For one quarter the books were kept in GnuCash, saved as a gzip-compressed
# XML book as GnuCash 3.x-5.x writes it.  Funds are a level of the account
# tree (Expenses:TW-CC:Grants to groups), the nominal code is the account
# code, and the other side of every payment and receipt is the bank account.
# The monthly hosting fee is one journal with a 5900 and a 4900 split.

gnc_rng = random.Random(2023_10)    # its own generator: nothing else moves
FUND_NAME = {"GEN": "General fund", "SCP": "Small-costs pot", "TW-CC": "Community Constellations",
             "ML-PEER": "Peer Support Programme", "POOL-RG": "Regional Groups Fund",
             "HOST-TL": "Tideline Hearing Voices Collective (hosted)"}
GNC_NAMESPACES = ["gnc", "act", "book", "cd", "cmdty", "price", "slot", "split", "sx", "trn", "ts", "fs", "bgt",
                  "recurrence", "lot", "addr", "billterm", "bt-days", "bt-prox", "cust", "employee", "entry",
                  "invoice", "job", "order", "owner", "taxtable", "tte", "vendor"]
BANK_CODE = "1200"
EQUITY_CODE = "3000"


def xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(s: str) -> str:
    return xml_text(s).replace('"', "&quot;")


def guid() -> str:
    return f"{gnc_rng.getrandbits(128):032x}"


@dataclass
class GncAccount:
    name: str
    type: str
    parent: "GncAccount | None"
    code: str = ""
    description: str = ""
    placeholder: bool = False
    guid: str = ""

    @property
    def path(self) -> str:
        names, a = [], self
        while a is not None and a.type != "ROOT":
            names.append(a.name)
            a = a.parent
        return ":".join(reversed(names))


def gnc_accounts():
    """The book's account tree, in the order GnuCash writes it (depth first)."""
    accts = []

    def add(*args, **kw):
        a = GncAccount(*args, **kw)
        a.guid = guid()
        accts.append(a)
        return a

    root = add("Root Account", "ROOT", None)
    assets = add("Assets", "ASSET", root, description="Assets", placeholder=True)
    bank = add("Current Account", "BANK", assets, code=BANK_CODE, description="Coastal Mutual Bank current account")
    used = sorted({(t.fund, t.account) for t in TXNS}, key=lambda fa: (FUNDS.index(fa[0]), fa[1]))
    leaf = {}
    for top_name, top_type, income in [("Income", "INCOME", True), ("Expenses", "EXPENSE", False)]:
        top = add(top_name, top_type, root, description=top_name, placeholder=True)
        for fund in FUNDS:
            codes = [c for f, c in used if f == fund and (c in INCOME_ACCOUNTS) == income]
            if not codes:
                continue
            f = add(fund, top_type, top, description=FUND_NAME[fund], placeholder=True)
            for code in codes:
                leaf[(fund, code)] = add(ACCOUNTS[code], top_type, f, code=code)
    equity = add("Equity", "EQUITY", root, description="Equity", placeholder=True)
    brought_forward = {}
    for fund in FUNDS:
        f = add(fund, "EQUITY", equity, description=FUND_NAME[fund], placeholder=True)
        brought_forward[fund] = add("Balance brought forward", "EQUITY", f, code=EQUITY_CODE)
    return accts, bank, leaf, brought_forward


def gnc_ts(d: dt.date, hms="10:59:00") -> str:
    """GnuCash's timestamp; 10:59:00 UTC is the neutral time it gives a date posted."""
    return f"{d.isoformat()} {hms} +0000"


def gnc_entered(d: dt.date) -> str:
    """When someone typed the transaction in: the same day or up to three
    working days later, in office hours."""
    e = d + dt.timedelta(days=gnc_rng.randint(0, 3))
    while e.weekday() >= 5:
        e += dt.timedelta(days=1)
    return gnc_ts(e, f"{gnc_rng.randint(8, 16):02d}:{gnc_rng.randint(0, 59):02d}:{gnc_rng.randint(0, 59):02d}")


def gnc_value(p: int) -> str:
    return f"{p}/100"


def gnc_book(start: dt.date, end: dt.date) -> bytes:
    accts, bank, leaf, brought_forward = gnc_accounts()
    out = ['<?xml version="1.0" encoding="utf-8" ?>', "<gnc-v2"]
    out += [f'     xmlns:{ns}="http://www.gnucash.org/XML/{ns}"' for ns in GNC_NAMESPACES]
    out[-1] += ">"
    out.append('<gnc:count-data cd:type="book">1</gnc:count-data>')
    out.append('<gnc:book version="2.0.0">')
    out.append(f'<book:id type="guid">{guid()}</book:id>')
    out += ["<book:slots>", "  <slot>", "    <slot:key>features</slot:key>", '    <slot:value type="frame">',
            "      <slot>", "        <slot:key>Register sort and filter settings stored in .gcm file</slot:key>",
            '        <slot:value type="string">Store the register sort and filter settings in .gcm metadata file '
            "(requires at least GnuCash 3.3)</slot:value>",
            "      </slot>", "    </slot:value>", "  </slot>", "</book:slots>"]

    # Transactions: the opening balances, then one per ledger movement (the
    # hosting-fee journal: one for the pair).
    period = [t for t in TXNS if start <= t.date <= end]
    before = [t for t in TXNS if t.date < start]
    opening = {f: sum(t.pence if t.inflow else -t.pence for t in before if t.fund == f) for f in FUNDS}
    txns = []   # (date, num, description, [(account, pence signed as GnuCash value, memo, bank?)])
    txns.append((start, "", f"Opening balances brought forward from the cashbook at {long_date(start - dt.timedelta(days=1))}",
                 [(bank, sum(opening.values()), "", True)]
                 + [(brought_forward[f], -opening[f], "", False) for f in FUNDS if opening[f]]))
    fees = {}
    for t in period:
        if t.source == "Manual Journal":
            fees.setdefault(t.reference, []).append(t)
            if len(fees[t.reference]) == 2:
                out_side, in_side = sorted(fees[t.reference], key=lambda x: x.inflow)
                assert (out_side.account, in_side.account) == ("5900", "4900") and out_side.date == in_side.date
                txns.append((t.date, t.reference, out_side.details,
                             [(leaf[(out_side.fund, "5900")], out_side.pence, out_side.contact, False),
                              (leaf[(in_side.fund, "4900")], -in_side.pence, in_side.contact, False)]))
            continue
        v = -t.pence if t.inflow else t.pence     # + debit (money out of the fund), - credit
        txns.append((t.date, t.reference, t.details,
                     [(bank, -v, "", True), (leaf[(t.fund, t.account)], v, t.contact, False)]))
    assert all(len(v) == 2 for v in fees.values())

    out.append('<gnc:count-data cd:type="commodity">1</gnc:count-data>')
    out.append(f'<gnc:count-data cd:type="account">{len(accts)}</gnc:count-data>')
    out.append(f'<gnc:count-data cd:type="transaction">{len(txns)}</gnc:count-data>')
    out += ['<gnc:commodity version="2.0.0">', "  <cmdty:space>CURRENCY</cmdty:space>", "  <cmdty:id>GBP</cmdty:id>",
            "  <cmdty:get_quotes/>", "  <cmdty:quote_source>currency</cmdty:quote_source>", "  <cmdty:quote_tz/>",
            "</gnc:commodity>",
            '<gnc:commodity version="2.0.0">', "  <cmdty:space>template</cmdty:space>", "  <cmdty:id>template</cmdty:id>",
            "  <cmdty:name>template</cmdty:name>", "  <cmdty:xcode>template</cmdty:xcode>",
            "  <cmdty:fraction>1</cmdty:fraction>", "</gnc:commodity>"]
    for a in accts:
        out += ['<gnc:account version="2.0.0">', f"  <act:name>{xml_text(a.name)}</act:name>",
                f'  <act:id type="guid">{a.guid}</act:id>', f"  <act:type>{a.type}</act:type>",
                "  <act:commodity>", "    <cmdty:space>CURRENCY</cmdty:space>", "    <cmdty:id>GBP</cmdty:id>",
                "  </act:commodity>", "  <act:commodity-scu>100</act:commodity-scu>"]
        if a.code:
            out.append(f"  <act:code>{a.code}</act:code>")
        if a.description:
            out.append(f"  <act:description>{xml_text(a.description)}</act:description>")
        if a.placeholder:
            out += ["  <act:slots>", "    <slot>", "      <slot:key>placeholder</slot:key>",
                    '      <slot:value type="string">true</slot:value>', "    </slot>", "  </act:slots>"]
        if a.parent is not None:
            out.append(f'  <act:parent type="guid">{a.parent.guid}</act:parent>')
        out.append("</gnc:account>")
    for date, num, description, splits in txns:
        assert sum(v for _, v, _, _ in splits) == 0
        out += ['<gnc:transaction version="2.0.0">', f'  <trn:id type="guid">{guid()}</trn:id>',
                "  <trn:currency>", "    <cmdty:space>CURRENCY</cmdty:space>", "    <cmdty:id>GBP</cmdty:id>",
                "  </trn:currency>"]
        if num:
            out.append(f"  <trn:num>{xml_text(num)}</trn:num>")
        out += ["  <trn:date-posted>", f"    <ts:date>{gnc_ts(date)}</ts:date>", "  </trn:date-posted>",
                "  <trn:date-entered>", f"    <ts:date>{gnc_entered(date)}</ts:date>", "  </trn:date-entered>",
                f"  <trn:description>{xml_text(description)}</trn:description>",
                "  <trn:slots>", "    <slot>", "      <slot:key>date-posted</slot:key>",
                '      <slot:value type="gdate">', f"        <gdate>{date.isoformat()}</gdate>", "      </slot:value>",
                "    </slot>", "  </trn:slots>", "  <trn:splits>"]
        for account, value, memo, is_bank in splits:
            # The bank side was reconciled to the October and November
            # statements, ticked as cleared for most of December, and not yet
            # looked at for the last week.
            if is_bank and date < dt.date(2023, 12, 1):
                state = "y"
            elif is_bank and date < dt.date(2023, 12, 22):
                state = "c"
            else:
                state = "n"
            out += ["    <trn:split>", f'      <split:id type="guid">{guid()}</split:id>']
            if memo:
                out.append(f"      <split:memo>{xml_text(memo)}</split:memo>")
            out.append(f"      <split:reconciled-state>{state}</split:reconciled-state>")
            if state == "y":
                month_end = dt.date(date.year, date.month, calendar.monthrange(date.year, date.month)[1])
                if date == start:
                    month_end = start - dt.timedelta(days=1)
                out += ["      <split:reconcile-date>",
                        f"        <ts:date>{gnc_entered(month_end + dt.timedelta(days=3))}</ts:date>",
                        "      </split:reconcile-date>"]
            out += [f"      <split:value>{gnc_value(value)}</split:value>",
                    f"      <split:quantity>{gnc_value(value)}</split:quantity>",
                    f'      <split:account type="guid">{account.guid}</split:account>', "    </trn:split>"]
        out += ["  </trn:splits>", "</gnc:transaction>"]
    out += ["</gnc:book>", "</gnc-v2>", "", "<!-- Local variables: -->", "<!-- mode: xml        -->",
            "<!-- End:             -->", ""]
    return "\n".join(out).encode("utf-8")


GNUCASH_BOOK = EXPORTS / "books-2023-Q4.gnucash"
GNUCASH_XML = gnc_book(*Q4)
# mtime=0 and no file name in the header, so the bytes do not depend on the clock.
GNUCASH_BOOK.write_bytes(gzip.compress(GNUCASH_XML, compresslevel=9, mtime=0))

# ---- Funders' 360Giving files -------------------------------------------------

GRANT_COLUMNS = ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Amount Disbursed",
                 "Award Date", "Recipient Org:Identifier", "Recipient Org:Name", "Funding Org:Identifier",
                 "Funding Org:Name", "Grant Programme:Title", "Beneficiary Location:Name", "Last Modified",
                 "Planned Dates:Start Date", "Planned Dates:End Date", "Planned Dates:Duration (months)"]


def planned(award):
    """The funded work starts on the first of the month after the award and runs `months` months."""
    award = dt.date.fromisoformat(award) if isinstance(award, str) else award
    start = dt.date(award.year + award.month // 12, award.month % 12 + 1, 1)
    months = 24 if award.month % 2 == 0 else 12
    end = dt.date(start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1, 1) - dt.timedelta(days=1)
    return [start.isoformat(), end.isoformat(), str(months)]

OTHER_RECIPIENTS = [
    ("GB-CHC-9993101", "Riverbend Advice Centre", "Cumbria"),
    ("GB-CHC-9993102", "Moorside Carers Forum", "County Durham"),
    ("GB-CHC-9993103", "Kestrel Youth Trust", "Tyne and Wear"),
    ("GB-CHC-9993104", "Eastgate Refugee Welcome", "West Yorkshire"),
    ("GB-CHC-9993105", "Lantern House Recovery Community", "Merseyside"),
    ("GB-CHC-9993106", "Greenacre Allotment Wellbeing Project", "Northumberland"),
    ("GB-CHC-9993107", "Saltburn Sea Swimmers Association", "North Yorkshire"),
    ("GB-CHC-9993108", "Cobbled Yard Arts", "Lancashire"),
    ("GB-CHC-9993109", "Hollins Green Food Hub", "Greater Manchester"),
    ("GB-CHC-9993110", "Fernlea Family Centre", "South Yorkshire"),
    ("GB-CHC-9993111", "Wayfarers Men's Shed", "Staffordshire"),
    ("GB-CHC-9993112", "Bright Steps Autism Support", "Teesside"),
]


def funder_file(fid, prefix, n_others, last_modified):
    gid, fund, acct, instalments, awarded, award_date, programme, title = FUNDER_GRANTS[fid]
    received = sum(t.pence for t in TXNS if t.account in ("4000", "4010") and t.contact == FUNDER_NAME[fid])
    disbursed = received + (MARLOW_DIFFERENCE if fid == "GB-CHC-9990202" else 0)
    rows = [GRANT_COLUMNS, [gid, title, f"Grant to {ORG_NAME}. {title}.", "GBP", money(awarded * 100, False),
                            money(disbursed, False), award_date, ORG_ID, ORG_NAME, fid, FUNDER_NAME[fid], programme,
                            "North of England", last_modified] + planned(award_date)]
    others = OTHER_RECIPIENTS[:]
    rng.shuffle(others)
    for k, (rid, rname, place) in enumerate(others[:n_others]):
        amt = rng.choice([5000, 7500, 10000, 12000, 15000, 20000, 30000, 45000, 60000])
        adate = rand_date(dt.date(2022, 9, 1), dt.date(2024, 2, 28))
        paid = amt if adate < dt.date(2023, 6, 1) else amt // 2
        rows.append([f"{prefix}-{adate.year}-{rng.randint(1, 199):03d}",
                     rng.choice(["Core costs", "Community wellbeing project", "Volunteer programme",
                                 "Outreach worker", "Building a peer network"]),
                     f"Grant to {rname}.", "GBP", money(amt * 100, False), money(paid * 100, False), adate.isoformat(),
                     rid, rname, fid, FUNDER_NAME[fid], programme, place, last_modified] + planned(adate))
    # Keep identifiers unique within the file.
    seen = set()
    for r in rows[1:]:
        while r[0] in seen:
            r[0] = r[0][:-3] + f"{(int(r[0][-3:]) + 1) % 1000:03d}"
        seen.add(r[0])
    return rows


FUNDERS_DIR = HERE / "funders"
write_csv(FUNDERS_DIR / "tidewater-360giving.csv",
          funder_file("GB-CHC-9990201", "360G-TIDEWATER", 6, "2024-04-12T09:30:00+00:00"))
write_csv(FUNDERS_DIR / "fellhouse-360giving.csv",
          funder_file("GB-CHC-9990203", "360G-FELLHOUSE", 4, "2024-04-08T14:05:00+00:00"))
write_csv(FUNDERS_DIR / "marlow-lane-360giving.csv",
          funder_file("GB-CHC-9990202", "360G-MARLOWLANE", 7, "2024-04-19T11:45:00+00:00"))

# ---- grants-out.csv ------------------------------------------------------------

go_rows = [GRANT_COLUMNS + ["Fund", "Payment Date"]]
for go in grants_out:
    paid = go.txn is not None
    go_rows.append([go.ident, go.title, go.description, "GBP", money(go.amount, False),
                    money(go.amount if paid else 0, False), go.award.isoformat(), GROUP_ID[go.recipient],
                    go.recipient, ORG_ID, ORG_NAME, PROGRAMME[go.fund], GROUP_REGION[go.recipient],
                    "2024-04-15T10:00:00+00:00"] + planned(go.award) + [go.fund, go.txn.date.isoformat() if paid else ""])
write_csv(HERE / "grants-out.csv", go_rows)

# ---- expected.csv ----------------------------------------------------------------

EXPECTED_COLUMNS = ["period", "scope", "scope_id", "income", "redistributed_grant", "redistributed_small_costs",
                    "redistributed_hosted", "redistributed_payment", "retained_staff", "retained_programme",
                    "retained_overhead", "retained_hosting_fee", "unclassified", "transfer_in", "transfer_out", "rows"]
COLUMN_OF = {
    "redistributed.grant": "redistributed_grant", "redistributed.small-costs": "redistributed_small_costs",
    "redistributed.hosted": "redistributed_hosted", "redistributed.payment": "redistributed_payment",
    "retained.staff": "retained_staff", "retained.programme": "retained_programme",
    "retained.overhead": "retained_overhead", "retained.hosting-fee": "retained_hosting_fee",
    "unclassified": "unclassified",
}
QUARTERS = ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"]


def measures(txns, organisation: bool):
    m = {c: 0 for c in EXPECTED_COLUMNS[3:]}
    for t in txns:
        cat = CATEGORY[t.account]
        if cat.startswith("income."):
            m["income"] += t.pence
        elif cat == "transfer":
            m["transfer_in" if t.inflow else "transfer_out"] += t.pence
        elif cat == "retained.hosting-fee" and organisation:
            m["transfer_out"] += t.pence
        else:
            m[COLUMN_OF[cat]] += t.pence
        m["rows"] += 1
    return m


expected = [EXPECTED_COLUMNS]
for q in QUARTERS:
    in_q = [t for t in TXNS if quarter(t.date) == q]
    m = measures(in_q, True)
    expected.append([q, "organisation", ORG_ID] + [m[c] for c in EXPECTED_COLUMNS[3:]])
    for fund in FUNDS:
        m = measures([t for t in in_q if t.fund == fund], False)
        expected.append([q, "fund", fund] + [m[c] for c in EXPECTED_COLUMNS[3:]])
write_csv(HERE / "expected.csv", expected)

# ---- Fellhouse Fund's IATI activity file ---------------------------------------
#
# Fellhouse publishes IATI 2.03.  Its activity for our grant has the
# commitment and one disbursement per instalment it paid into POOL-RG; a
# second activity is a grant to another organisation (the pipeline must skip
# its transactions).  Fellhouse dates a disbursement when it approves the
# payment run: the money reaches our bank 0-5 days later, except for one
# instalment that sat 14 days in its payment queue (outside the 10-day
# reconciliation window).

FELLHOUSE_ID = "GB-CHC-9990203"
FELLHOUSE_ACTIVITY = "GB-CHC-9990203-RG-2023-01"
FELLHOUSE_GAP_DAYS = {1: 3, 2: 14}      # instalment: days from Fellhouse's date to our receipt
FELLHOUSE_LATE = [i for i, gap in FELLHOUSE_GAP_DAYS.items() if gap > 10]
OTHER_ACTIVITY = ("GB-CHC-9990203-RG-2023-02", "GB-CHC-9993105", "Lantern House Recovery Community",
                  30000_00, dt.date(2023, 5, 10), [(dt.date(2023, 6, 1), 15000_00), (dt.date(2023, 12, 1), 15000_00)])


def fellhouse_receipts():
    gid = FUNDER_GRANTS[FELLHOUSE_ID][0]
    return [t for t in TXNS if t.inflow and t.contact == FUNDER_NAME[FELLHOUSE_ID] and t.reference == gid]


def iati_amount(p: int) -> str:
    return money(p, False)


def iati_transaction(code, date, pence, description, receiver):
    rid, rname = receiver
    return ["  <transaction>",
            f'   <transaction-type code="{code}"/>',
            f'   <transaction-date iso-date="{date.isoformat()}"/>',
            f'   <value currency="GBP" value-date="{date.isoformat()}">{iati_amount(pence)}</value>',
            "   <description>", f"    <narrative>{xml_text(description)}</narrative>", "   </description>",
            f'   <provider-org ref="{FELLHOUSE_ID}">',
            f"    <narrative>{xml_text(FUNDER_NAME[FELLHOUSE_ID])}</narrative>", "   </provider-org>",
            f'   <receiver-org ref="{rid}">', f"    <narrative>{xml_text(rname)}</narrative>", "   </receiver-org>",
            "  </transaction>"]


def iati_activity(ident, updated, title, description, other_id, receiver, receiver_type, start, end, status,
                  commitment, disbursements):
    rid, rname = receiver
    fname = xml_text(FUNDER_NAME[FELLHOUSE_ID])
    out = [f' <iati-activity default-currency="GBP" last-updated-datetime="{updated}" xml:lang="en" hierarchy="1">',
           f"  <iati-identifier>{ident}</iati-identifier>",
           f'  <reporting-org ref="{FELLHOUSE_ID}" type="60">', f"   <narrative>{fname}</narrative>", "  </reporting-org>",
           "  <title>", f"   <narrative>{xml_text(title)}</narrative>", "  </title>",
           '  <description type="1">', f"   <narrative>{xml_text(description)}</narrative>", "  </description>",
           f'  <participating-org ref="{FELLHOUSE_ID}" role="1" type="60">', f"   <narrative>{fname}</narrative>",
           "  </participating-org>",
           f'  <participating-org ref="{rid}" role="4" type="{receiver_type}">',
           f"   <narrative>{xml_text(rname)}</narrative>", "  </participating-org>",
           f'  <other-identifier ref="{other_id}" type="A1"/>',
           f'  <activity-status code="{status}"/>',
           f'  <activity-date iso-date="{start.isoformat()}" type="1"/>',
           f'  <activity-date iso-date="{end.isoformat()}" type="3"/>',
           '  <recipient-country code="GB" percentage="100"/>',
           '  <default-flow-type code="30"/>', '  <default-finance-type code="110"/>',
           '  <default-aid-type code="C01" vocabulary="1"/>', '  <default-tied-status code="5"/>',
           '  <budget type="1" status="2">', f'   <period-start iso-date="{start.isoformat()}"/>',
           f'   <period-end iso-date="{end.isoformat()}"/>',
           f'   <value currency="GBP" value-date="{start.isoformat()}">{iati_amount(commitment[1])}</value>',
           "  </budget>"]
    out += iati_transaction("2", commitment[0], commitment[1], commitment[2], receiver)
    for date, pence, what in disbursements:
        out += iati_transaction("3", date, pence, what, receiver)
    out.append(" </iati-activity>")
    return out


def fellhouse_iati() -> bytes:
    gid, fund, acct, instalments, awarded, award_date, programme, title = FUNDER_GRANTS[FELLHOUSE_ID]
    receipts = fellhouse_receipts()
    assert len(receipts) == len(instalments) == len(FELLHOUSE_GAP_DAYS)
    n = len(receipts)
    ours = iati_activity(
        FELLHOUSE_ACTIVITY, "2024-04-18T16:20:00Z", f"{programme}: {ORG_NAME}", f"{title}.", gid,
        (ORG_ID, ORG_NAME), "22", dt.date(2023, 4, 1), dt.date(2024, 9, 30), "2",
        (dt.date.fromisoformat(award_date), awarded * 100, f"Grant awarded: {n} instalments"),
        [(t.date - dt.timedelta(days=FELLHOUSE_GAP_DAYS[i]), t.pence, f"Instalment {i} of {n}")
         for i, t in enumerate(receipts, 1)])
    oid, orid, oname, oamount, odate, opaid = OTHER_ACTIVITY
    other = iati_activity(
        oid, "2024-04-18T16:20:00Z", f"{programme}: {oname}",
        "Recovery cafe and peer mentoring for people in recovery in Merseyside.", "360G-FELLHOUSE-23-131",
        (orid, oname), "22", dt.date(2023, 6, 1), dt.date(2024, 11, 30), "2",
        (odate, oamount, f"Grant awarded: {len(opaid)} instalments"),
        [(d, p, f"Instalment {i} of {len(opaid)}") for i, (d, p) in enumerate(opaid, 1)])
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<iati-activities version="2.03" generated-datetime="2024-04-20T09:00:00Z">'] + ours + other
    out += ["</iati-activities>", ""]
    return "\n".join(out).encode("utf-8")


(FUNDERS_DIR / "fellhouse-iati.xml").write_bytes(fellhouse_iati())

# ---- Bank statement, January - March 2024 (camt.053) ----------------------------
#
# One entry for every ledger movement of the quarter that moved money through
# the bank (every Xero row but the hosting-fee journal), booked on the ledger
# date or one or two working days later, except for the deliberate
# differences: the bank's monthly £8.50 service charge, which nobody has
# entered in the ledger; the cheque not yet presented; one payment the bank
# made for £0.50 more than the ledger says.  The twins are two entries.

bank_rng = random.Random(2024_01)   # its own generator: nothing else moves
IBAN = "GB33BUKB20201555555555"
BANK_NAME = "Coastal Mutual Bank"
BANK_HOLIDAYS = {dt.date(2024, 1, 1)}
STATEMENT_LAST_DAY = dt.date(2024, 3, 29)        # the last working day of the statement
SERVICE_CHARGE = 850
SERVICE_CHARGE_DATES = [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 29)]
AMOUNT_DIFFERS = ("KCS-2402", 50)                # reference, pence the bank took over the ledger amount


def banking_day(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in BANK_HOLIDAYS


def add_banking_days(d: dt.date, k: int) -> dt.date:
    """k banking days after d; a non-banking day with k = 0 moves to the next one."""
    while not banking_day(d):
        d += dt.timedelta(days=1)
        k = max(0, k - 1)
    while k:
        d += dt.timedelta(days=1)
        if banking_day(d):
            k -= 1
    return d


def working_days_between(a: dt.date, b: dt.date) -> int:
    n, d = 0, a
    while d < b:
        d += dt.timedelta(days=1)
        if d.weekday() < 5:
            n += 1
    return n


# (bank transaction code domain, family, sub-family, the bank's own code)
def bank_code(t: Txn | None):
    if t is None:
        return "ACMT", "MDOP", "CHRG", "CHG"
    if t.account == "4500":
        return "ACMT", "MCOP", "INTR", "INT"
    if t.account == "7040":
        return "ACMT", "MDOP", "CHRG", "CHG"
    if t.account == "7999" and t.details.startswith("Cheque"):
        return "PMNT", "ICHQ", "CCHQ", "CHQ"
    if t.contact == "Cash collection":
        return "PMNT", "CNTR", "CDPT", "CSH"
    if t.account == "6000":
        return "PMNT", "ICDT", "SALA", "BAC"
    if t.contact in ("Staff pension scheme", "Brightgrid Energy") or t.details.startswith("IT support contract"):
        return "PMNT", "IDDT", "PMDD", "DD"
    if t.contact == "Ashgrove Property Lettings":
        return "PMNT", "ICDT", "STDO", "SO"
    if t.contact == "Cloudsuite Nonprofit Licences":
        return "PMNT", "CCRD", "POSD", "DEB"
    if t.inflow:
        return "PMNT", "RCDT", "DMCT", "BGC" if t.account in ("4000", "4010") or t.contact.startswith(("Gift", "GiveOnline")) else "FPI"
    return "PMNT", "ICDT", "DMCT", "FPO"


# What the bank knows about payees the ledger could not name (suspense rows).
BANK_SIDE_NAMES = {"SUS-0322": "Hallam Digital Print Ltd"}


@dataclass
class BankEntry:
    booked: dt.date
    pence: int
    credit: bool
    txn: Txn | None              # the ledger movement; None = only on the bank side
    end_to_end: str
    name: str
    remittance: str
    code: tuple
    cheque: str = ""
    servicer_ref: str = ""
    entry_ref: str = ""


def bank_entries():
    start, end = Q1
    entries = []
    lags = {}
    for t in TXNS:
        if not (start <= t.date <= end) or t.source == "Manual Journal" or t.reference == UNPRESENTED_CHEQUE:
            continue
        key = t.key()
        if key not in lags:            # the twins go through together
            lags[key] = bank_rng.choices([0, 1, 2], weights=[6, 3, 1])[0]
        k = lags[key]
        booked = add_banking_days(t.date, k)
        while booked > STATEMENT_LAST_DAY:
            k -= 1
            assert k >= 0, t
            booked = add_banking_days(t.date, k)
        pence = t.pence + (AMOUNT_DIFFERS[1] if t.reference == AMOUNT_DIFFERS[0] else 0)
        name = BANK_SIDE_NAMES.get(t.reference, "" if t.contact in ("", "Unknown payee") else t.contact)
        code = bank_code(t)
        cheque = ""
        remittance = t.details
        if code[2] == "CCHQ":
            cheque = t.details.split()[1].rstrip(",")
            name, remittance = "", f"CHEQUE {cheque}"
        entries.append(BankEntry(booked, pence, t.inflow, t, t.reference or "NOTPROVIDED", name, remittance[:140],
                                 code, cheque))
    for d in SERVICE_CHARGE_DATES:
        entries.append(BankEntry(d, SERVICE_CHARGE, False, None, "NOTPROVIDED", "",
                                 f"ONLINE BANKING SERVICE CHARGE {MONTH_ABBR[d.month].upper()} {d.year}", bank_code(None)))
    entries.sort(key=lambda e: (e.booked, e.txn is None, e.txn.seq if e.txn else 0))
    seq = {}
    for i, e in enumerate(entries, 1):
        seq[e.booked] = seq.get(e.booked, bank_rng.randint(1, 30)) + bank_rng.randint(1, 25)
        e.servicer_ref = f"CMB{e.booked:%y%m%d}{seq[e.booked]:05d}"
        e.entry_ref = f"{e.booked:%Y%m%d}{i:05d}"
    return entries


def camt_amount(p: int) -> str:
    return money(p, False)


def camt053() -> tuple[bytes, list[BankEntry], int, int]:
    start, end = Q1
    entries = bank_entries()
    opening = sum(t.pence if t.inflow else -t.pence for t in TXNS if t.date < start)
    credits = [e.pence for e in entries if e.credit]
    debits = [e.pence for e in entries if not e.credit]
    closing = opening + sum(credits) - sum(debits)
    assert opening > 0 and closing > 0
    net = sum(credits) - sum(debits)

    def bal(code, amount, date):
        return ["      <Bal>", "        <Tp>", "          <CdOrPrtry>", f"            <Cd>{code}</Cd>",
                "          </CdOrPrtry>", "        </Tp>", f'        <Amt Ccy="GBP">{camt_amount(abs(amount))}</Amt>',
                f"        <CdtDbtInd>{'CRDT' if amount >= 0 else 'DBIT'}</CdtDbtInd>",
                f"        <Dt>", f"          <Dt>{date.isoformat()}</Dt>", "        </Dt>", "      </Bal>"]

    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
           "  <BkToCstmrStmt>", "    <GrpHdr>", "      <MsgId>CMB053240402060000417</MsgId>",
           "      <CreDtTm>2024-04-02T06:00:00</CreDtTm>", "      <MsgPgntn>", "        <PgNb>1</PgNb>",
           "        <LastPgInd>true</LastPgInd>", "      </MsgPgntn>", "    </GrpHdr>",
           "    <Stmt>", f"      <Id>{IBAN[-14:]}-2024Q1</Id>", "      <ElctrncSeqNb>4</ElctrncSeqNb>",
           "      <CreDtTm>2024-04-02T06:00:00</CreDtTm>",
           "      <FrToDt>", f"        <FrDtTm>{start.isoformat()}T00:00:00</FrDtTm>",
           f"        <ToDtTm>{end.isoformat()}T23:59:59</ToDtTm>", "      </FrToDt>",
           "      <Acct>", "        <Id>", f"          <IBAN>{IBAN}</IBAN>", "        </Id>", "        <Ccy>GBP</Ccy>",
           f"        <Nm>{xml_text(ORG_NAME.upper())}</Nm>", "        <Svcr>", "          <FinInstnId>",
           f"            <Nm>{BANK_NAME}</Nm>", "          </FinInstnId>", "        </Svcr>", "      </Acct>"]
    out += bal("OPBD", opening, start)
    out += bal("CLBD", closing, end)
    out += ["      <TxsSummry>", "        <TtlNtries>", f"          <NbOfNtries>{len(entries)}</NbOfNtries>",
            f"          <Sum>{camt_amount(sum(credits) + sum(debits))}</Sum>",
            f"          <TtlNetNtryAmt>{camt_amount(abs(net))}</TtlNetNtryAmt>",
            f"          <CdtDbtInd>{'CRDT' if net >= 0 else 'DBIT'}</CdtDbtInd>", "        </TtlNtries>",
            "        <TtlCdtNtries>", f"          <NbOfNtries>{len(credits)}</NbOfNtries>",
            f"          <Sum>{camt_amount(sum(credits))}</Sum>", "        </TtlCdtNtries>",
            "        <TtlDbtNtries>", f"          <NbOfNtries>{len(debits)}</NbOfNtries>",
            f"          <Sum>{camt_amount(sum(debits))}</Sum>", "        </TtlDbtNtries>", "      </TxsSummry>"]
    for e in entries:
        domain, family, sub, prop = e.code
        out += ["      <Ntry>", f"        <NtryRef>{e.entry_ref}</NtryRef>",
                f'        <Amt Ccy="GBP">{camt_amount(e.pence)}</Amt>',
                f"        <CdtDbtInd>{'CRDT' if e.credit else 'DBIT'}</CdtDbtInd>", "        <Sts>BOOK</Sts>",
                "        <BookgDt>", f"          <Dt>{e.booked.isoformat()}</Dt>", "        </BookgDt>",
                "        <ValDt>", f"          <Dt>{e.booked.isoformat()}</Dt>", "        </ValDt>",
                f"        <AcctSvcrRef>{e.servicer_ref}</AcctSvcrRef>",
                "        <BkTxCd>", "          <Domn>", f"            <Cd>{domain}</Cd>", "            <Fmly>",
                f"              <Cd>{family}</Cd>", f"              <SubFmlyCd>{sub}</SubFmlyCd>", "            </Fmly>",
                "          </Domn>", "          <Prtry>", f"            <Cd>{prop}</Cd>",
                "            <Issr>CMB</Issr>", "          </Prtry>", "        </BkTxCd>",
                "        <NtryDtls>", "          <TxDtls>", "            <Refs>",
                f"              <EndToEndId>{xml_text(e.end_to_end)}</EndToEndId>"]
        if e.cheque:
            out.append(f"              <ChqNb>{e.cheque}</ChqNb>")
        out.append("            </Refs>")
        if e.name:
            party = "Dbtr" if e.credit else "Cdtr"
            out += ["            <RltdPties>", f"              <{party}>", f"                <Nm>{xml_text(e.name)}</Nm>",
                    f"              </{party}>", "            </RltdPties>"]
        out += ["            <RmtInf>", f"              <Ustrd>{xml_text(e.remittance)}</Ustrd>", "            </RmtInf>",
                "          </TxDtls>", "        </NtryDtls>"]
        if e.txn is None:
            out.append(f"        <AddtlNtryInf>{xml_text(e.remittance)}</AddtlNtryInf>")
        out.append("      </Ntry>")
    out += ["    </Stmt>", "  </BkToCstmrStmt>", "</Document>", ""]
    return "\n".join(out).encode("utf-8"), entries, opening, closing


BANK_DIR = HERE / "bank"
BANK_DIR.mkdir(exist_ok=True)
CAMT_BYTES, BANK_ENTRIES, BANK_OPENING, BANK_CLOSING = camt053()
(BANK_DIR / "statement-2024-Q1.xml").write_bytes(CAMT_BYTES)

# --------------------------------------------------------------------------
# Reading everything back
# --------------------------------------------------------------------------


def check_gnucash():
    """Reads the GnuCash book back: the shape GnuCash writes, balanced
    transactions, and one income or expense split per true transaction."""
    from collections import Counter
    import xml.etree.ElementTree as ET

    raw = GNUCASH_BOOK.read_bytes()
    assert raw[:2] == b"\x1f\x8b", "the book is gzip-compressed"
    text = gzip.decompress(raw)
    assert text == GNUCASH_XML and text.startswith(b'<?xml version="1.0" encoding="utf-8" ?>\n<gnc-v2\n')
    g = "{http://www.gnucash.org/XML/%s}"
    gnc, act, trn, split, ts, cmdty, book = (g % n for n in ("gnc", "act", "trn", "split", "ts", "cmdty", "book"))
    root = ET.fromstring(text)
    assert root.tag == "gnc-v2"
    b = root.find(gnc + "book")
    assert b is not None and b.get("version") == "2.0.0" and b.find(book + "id").get("type") == "guid"
    counts = {c.get("{http://www.gnucash.org/XML/cd}type"): int(c.text) for c in b.findall(gnc + "count-data")}
    accounts = {}
    for a in b.findall(gnc + "account"):
        assert a.get("version") == "2.0.0"
        ident = a.find(act + "id")
        assert ident.get("type") == "guid" and len(ident.text) == 32
        parent = a.find(act + "parent")
        accounts[ident.text] = {"name": a.find(act + "name").text, "type": a.find(act + "type").text,
                                "code": (a.find(act + "code").text if a.find(act + "code") is not None else ""),
                                "parent": parent.text if parent is not None else None}
        if accounts[ident.text]["type"] != "ROOT":
            assert a.find(act + "commodity/" + cmdty + "id").text == "GBP"
    assert counts == {"commodity": 1, "account": len(accounts), "transaction": len(b.findall(gnc + "transaction"))}

    def path(i):
        names = []
        while accounts[i]["type"] != "ROOT":
            names.append(accounts[i]["name"])
            i = accounts[i]["parent"]
        return names[::-1]

    assert {a["type"] for a in accounts.values()} == {"ROOT", "ASSET", "BANK", "INCOME", "EXPENSE", "EQUITY"}
    banks = [i for i, a in accounts.items() if a["type"] == "BANK"]
    assert len(banks) == 1 and path(banks[0]) == ["Assets", "Current Account"]
    for i, a in accounts.items():
        if a["type"] in ("INCOME", "EXPENSE") and a["code"]:
            p = path(i)
            assert len(p) == 3 and p[0] == ("Income" if a["type"] == "INCOME" else "Expenses"), p
            assert p[1] in FUNDS and p[2] == ACCOUNTS[a["code"]], p
            assert (a["code"] in INCOME_ACCOUNTS) == (a["type"] == "INCOME")
    assert ["Expenses", "GEN", "Suspense"] in [path(i) for i, a in accounts.items() if a["code"] == "7999"]

    found = Counter()
    details = Counter()
    journals = opening = 0
    for x in b.findall(gnc + "transaction"):
        assert x.find(trn + "currency/" + cmdty + "space").text == "CURRENCY"
        assert x.find(trn + "currency/" + cmdty + "id").text == "GBP"
        posted = x.find(trn + "date-posted/" + ts + "date").text
        assert posted.endswith(" 10:59:00 +0000"), posted
        assert x.find(trn + "date-entered/" + ts + "date").text >= posted[:10]
        date = dt.date.fromisoformat(posted[:10])
        num = x.find(trn + "num")
        num = num.text if num is not None else ""
        description = x.find(trn + "description").text
        splits = x.findall(trn + "splits/" + trn + "split")
        values = []
        kinds = []
        for sp in splits:
            v = sp.find(split + "value").text
            assert v == sp.find(split + "quantity").text and v.endswith("/100"), v
            v = int(v[:-4])
            values.append(v)
            state = sp.find(split + "reconciled-state").text
            assert state in "ncy" and (state == "y") == (sp.find(split + "reconcile-date") is not None)
            a = accounts[sp.find(split + "account").text]
            kinds.append(a["type"])
            if a["type"] in ("INCOME", "EXPENSE"):
                memo = sp.find(split + "memo")
                fund = [seg for seg in path(sp.find(split + "account").text) if seg in FUNDS]
                assert len(fund) == 1 and v != 0
                found[(date, a["code"], fund[0], memo.text if memo is not None else "", num, abs(v), v < 0)] += 1
                if len(splits) == 2 and "BANK" in [accounts[s.find(split + "account").text]["type"] for s in splits]:
                    details[(date, a["code"], num, description)] += 1
        assert sum(values) == 0, num
        if "EQUITY" in kinds:
            opening += 1
            assert date == Q4[0] and kinds[0] == "BANK" and set(kinds[1:]) == {"EQUITY"}
            assert values[0] == sum(t.pence if t.inflow else -t.pence for t in TXNS if t.date < Q4[0])
        elif "BANK" in kinds:
            assert sorted(kinds) in (["BANK", "EXPENSE"], ["BANK", "INCOME"]), kinds
        else:
            journals += 1
            codes = sorted(accounts[sp.find(split + "account").text]["code"] for sp in splits)
            assert codes == ["4900", "5900"] and num.startswith("HF-"), (codes, num)
    assert opening == 1 and journals == 3
    q4 = [t for t in TXNS if Q4[0] <= t.date <= Q4[1]]
    want = Counter((t.date, t.account, t.reference, t.details) for t in q4 if t.source != "Manual Journal")
    assert details == want
    return Counter({(d, code, fund, contact, next(t.details for t in q4 if (t.date, t.account, t.reference) == (d, code, num)),
                     num, pence, inflow): n
                    for (d, code, fund, contact, num, pence, inflow), n in found.items()})


def check_iati():
    """Fellhouse's IATI file: our activity's commitment and disbursements
    against the ledger, with exactly the documented date difference."""
    import xml.etree.ElementTree as ET

    root = ET.parse(FUNDERS_DIR / "fellhouse-iati.xml").getroot()
    assert root.tag == "iati-activities" and root.get("version") == "2.03"
    assert root.get("generated-datetime") == "2024-04-20T09:00:00Z"
    acts = root.findall("iati-activity")
    assert len(acts) == 2 and all(a.get("default-currency") == "GBP" for a in acts)
    for a in acts:
        assert a.find("reporting-org").get("ref") == FELLHOUSE_ID
        assert a.find("activity-status").get("code") == "2"
        assert a.find("activity-date[@type='1']") is not None
    ours = [a for a in acts if a.findtext("iati-identifier") == FELLHOUSE_ACTIVITY]
    assert len(ours) == 1
    others = [a for a in acts if a is not ours[0]]
    for a in others:
        assert all(x.find("receiver-org").get("ref") != ORG_ID for x in a.findall("transaction"))
    txs = ours[0].findall("transaction")
    assert all(x.find("receiver-org").get("ref") == ORG_ID and x.find("provider-org").get("ref") == FELLHOUSE_ID
               and x.find("value").get("currency") == "GBP" for x in txs)
    commitments = [x for x in txs if x.find("transaction-type").get("code") == "2"]
    disbursements = [x for x in txs if x.find("transaction-type").get("code") == "3"]
    assert len(commitments) == 1 and len(commitments) + len(disbursements) == len(txs)

    def pence(x):
        whole, frac = x.findtext("value").split(".")
        return int(whole) * 100 + int(frac)

    assert pence(commitments[0]) == FUNDER_GRANTS[FELLHOUSE_ID][4] * 100
    receipts = fellhouse_receipts()
    assert len(disbursements) == len(receipts)
    late = []
    ledger = [t for t in TXNS if t.inflow]
    for i, (x, t) in enumerate(zip(disbursements, receipts), 1):
        d = dt.date.fromisoformat(x.find("transaction-date").get("iso-date"))
        assert x.find("value").get("value-date") == d.isoformat()
        assert pence(x) == t.pence and x.findtext("description/narrative") == f"Instalment {i} of {len(receipts)}"
        gap = (t.date - d).days
        if gap > 10:
            late.append(i)
            assert gap == 14
            # Nothing else in the ledger could be taken for it.
            assert not [u for u in ledger if u.pence == t.pence and abs((u.date - d).days) <= 10]
        else:
            assert 0 <= gap <= 5, gap
    assert late == FELLHOUSE_LATE and len(late) == 1


def check_camt053():
    """The bank statement: internally consistent, and against the ledger
    exactly the documented differences."""
    from collections import Counter
    import xml.etree.ElementTree as ET

    ns = "{urn:iso:std:iso:20022:tech:xsd:camt.053.001.02}"
    root = ET.parse(BANK_DIR / "statement-2024-Q1.xml").getroot()
    assert root.tag == ns + "Document"
    stmts = root.findall(f"{ns}BkToCstmrStmt/{ns}Stmt")
    assert len(stmts) == 1
    st = stmts[0]
    assert st.findtext(f"{ns}Acct/{ns}Id/{ns}IBAN") == IBAN and st.findtext(f"{ns}Acct/{ns}Ccy") == "GBP"

    def pence(text):
        whole, frac = text.split(".")
        assert len(frac) == 2
        return int(whole) * 100 + int(frac)

    bals = {}
    for b in st.findall(ns + "Bal"):
        sign = 1 if b.findtext(ns + "CdtDbtInd") == "CRDT" else -1
        bals[b.findtext(f"{ns}Tp/{ns}CdOrPrtry/{ns}Cd")] = (sign * pence(b.findtext(ns + "Amt")),
                                                               b.findtext(f"{ns}Dt/{ns}Dt"))
    assert bals["OPBD"][1] == "2024-01-01" and bals["CLBD"][1] == "2024-03-31"
    rows = []
    refs = set()
    for e in st.findall(ns + "Ntry"):
        assert e.find(ns + "Amt").get("Ccy") == "GBP" and e.findtext(ns + "Sts") == "BOOK"
        credit = e.findtext(ns + "CdtDbtInd") == "CRDT"
        booked = dt.date.fromisoformat(e.findtext(f"{ns}BookgDt/{ns}Dt"))
        assert e.findtext(f"{ns}ValDt/{ns}Dt") == booked.isoformat() and banking_day(booked)
        ref = e.findtext(ns + "AcctSvcrRef")
        assert ref not in refs and ref.startswith(f"CMB{booked:%y%m%d}")
        refs.add(ref)
        tx = e.findall(f"{ns}NtryDtls/{ns}TxDtls")
        assert len(tx) == 1
        name = tx[0].findtext(f"{ns}RltdPties/{ns}{'Dbtr' if credit else 'Cdtr'}/{ns}Nm") or ""
        assert tx[0].find(f"{ns}RltdPties/{ns}{'Cdtr' if credit else 'Dbtr'}") is None
        rows.append((booked, pence(e.findtext(ns + "Amt")), credit, tx[0].findtext(f"{ns}Refs/{ns}EndToEndId"), name, ref))
    net = sum(p if c else -p for _, p, c, _, _, _ in rows)
    assert bals["OPBD"][0] + net == bals["CLBD"][0] > 0
    s = st.find(ns + "TxsSummry")
    assert int(s.findtext(f"{ns}TtlNtries/{ns}NbOfNtries")) == len(rows)
    assert pence(s.findtext(f"{ns}TtlCdtNtries/{ns}Sum")) == sum(p for _, p, c, _, _, _ in rows if c)
    assert pence(s.findtext(f"{ns}TtlDbtNtries/{ns}Sum")) == sum(p for _, p, c, _, _, _ in rows if not c)

    # Against the ledger: every bank-moving movement of the quarter, one to
    # one by reference (the twins, with no reference, by content), booked 0-2
    # working days after the ledger date.
    q1 = [t for t in TXNS if Q1[0] <= t.date <= Q1[1]]
    ledger = [t for t in q1 if t.source != "Manual Journal"]
    assert len([t for t in q1 if t.source == "Manual Journal"]) == 6
    unmatched = list(rows)
    only_ledger, differs = [], []
    for t in ledger:
        cands = [r for r in unmatched if r[3] == (t.reference or "NOTPROVIDED") and r[2] == t.inflow
                 and 0 <= working_days_between(t.date, r[0]) <= 2 and r[0] >= t.date]
        if not t.reference:
            cands = [r for r in cands if r[1] == t.pence and r[4] == t.contact]
        if not cands:
            only_ledger.append(t)
            continue
        r = cands[0]
        unmatched.remove(r)
        if r[1] != t.pence:
            differs.append((t, r))
    only_bank = unmatched
    assert [t.reference for t in only_ledger] == [UNPRESENTED_CHEQUE], only_ledger
    assert [(t.reference, r[1] - t.pence) for t, r in differs] == [AMOUNT_DIFFERS], differs
    assert [(r[0], r[1], r[2], r[3]) for r in only_bank] == [(d, SERVICE_CHARGE, False, "NOTPROVIDED")
                                                           for d in SERVICE_CHARGE_DATES], only_bank
    twins = [r for r in rows if r[3] == "NOTPROVIDED" and r[1] == TWINS_2024[6] and r[4] == TWINS_2024[3]]
    assert len(twins) == 2 and twins[0][:5] == twins[1][:5] and twins[0][5] != twins[1][5]
    # The differences cannot be explained away by another line of the same
    # amount within the 10-day window.
    cheque = only_ledger[0]
    assert not [r for r in rows if r[1] == cheque.pence and abs((r[0] - cheque.date).days) <= 10]
    for r in only_bank:
        assert not [t for t in ledger if t.pence == r[1] and abs((t.date - r[0]).days) <= 10]
    t, r = differs[0]
    assert not [u for u in ledger if u.pence == r[1] and abs((u.date - r[0]).days) <= 10]
    assert Counter(r[1] for r in rows if abs((r[0] - t.date).days) <= 10)[t.pence] == 0
    assert bals["CLBD"][0] == (sum(t.pence if t.inflow else -t.pence for t in TXNS)
                               + cheque.pence - len(only_bank) * SERVICE_CHARGE - AMOUNT_DIFFERS[1])
    return {"entries": len(rows), "credits": sum(1 for r in rows if r[2]), "opening": bals["OPBD"][0],
            "closing": bals["CLBD"][0], "ledger_rows": len(ledger),
            "only_ledger": [(t.date, t.reference, t.pence) for t in only_ledger],
            "only_bank": [(r[0], r[5], r[1]) for r in only_bank],
            "amount_differs": [(t.date, r[0], t.reference, t.pence, r[1], r[5]) for t, r in differs],
            "twins": [(r[0], r[5], r[1]) for r in twins]}


def check():
    from collections import Counter

    def read(path, encoding):
        raw = path.read_bytes()
        text = raw.decode(encoding)
        return raw, list(csv.reader(io.StringIO(text, newline="")))

    def pence(s):
        whole, frac = s.replace(",", "").split(".")
        assert len(frac) == 2
        return int(whole) * 100 + int(frac)

    truth = Counter((t.date, t.account, t.fund, t.contact, t.details, t.reference, t.pence, t.inflow) for t in TXNS)
    assert sum(truth.values()) == len(TXNS)
    twins = sorted(k for k, n in truth.items() if n > 1)
    assert [k[0] for k in twins] == [dt.date(2023, 6, 14), TWINS_2024[0]], twins
    assert all(truth[k] == 2 for k in twins), twins

    # Cashbook files.
    per_file: list[Counter] = []
    rejects = Counter()
    for name, enc, crlf in [("cashbook-2023-Q2.csv", "cp1252", True), ("cashbook-2023-Q3.csv", "utf-8-sig", False),
                            ("cashbook-2023-H1-ytd.csv", "utf-8-sig", False)]:
        raw, rows = read(EXPORTS / name, enc)
        assert (b"\r\n" in raw) == crlf, name
        assert raw.startswith(b"\xef\xbb\xbf") == (enc == "utf-8-sig"), name
        assert rows[0] == CASHBOOK_HEADER, name
        c = Counter()
        for r in rows[1:]:
            try:
                day, month, year = map(int, r[0].split("/"))
                date = dt.date(year, month, day)
                amount = pence(r[7] or r[8])
            except ValueError:
                rejects[name] += 1
                continue
            assert bool(r[7]) != bool(r[8])
            c[(date, r[1], r[3], r[4], r[5], r[6], amount, bool(r[7]))] += 1
        per_file.append(c)
    assert "Café Connect Wellbeing Group" in (EXPORTS / "cashbook-2023-Q2.csv").read_bytes().decode("cp1252")
    assert "£" in (EXPORTS / "cashbook-2023-Q2.csv").read_bytes().decode("cp1252")
    assert rejects == Counter({"cashbook-2023-Q3.csv": 2, "cashbook-2023-H1-ytd.csv": 2}), rejects

    # Xero files.
    for name, (start, end) in [("xero-2024-01.csv", JAN), ("xero-2024-Q1.csv", Q1)]:
        raw, rows = read(EXPORTS / name, "utf-8")
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
        assert rows[0] == ["Account Transactions"] and rows[1] == [ORG_NAME] and rows[3] == []
        assert rows[2] == [f"For the period {long_date(start)} to {long_date(end)}"]
        assert rows[4] == XERO_HEADER
        c = Counter()
        account = None
        dr = cr = 0
        i = 5
        while i < len(rows):
            r = rows[i]
            assert len(r) == len(XERO_HEADER), (name, i, r)
            first = r[0]
            if first.startswith("Total "):
                assert first == f"Total {account} - {ACCOUNTS[account]}"
                assert (pence(r[5]), pence(r[6])) == (dr, cr), (name, account)
                balance_close = pence(rows[i + 1][7])
                assert rows[i + 1][0] == "Closing Balance" and balance_close == opening + dr + cr
                i += 2
                account = None
                continue
            if account is None:
                account = first.split(" - ")[0]
                assert first == f"{account} - {ACCOUNTS[account]}" and not any(r[1:]), r
                assert rows[i + 1][0] == "Opening Balance"
                opening = running = pence(rows[i + 1][7])
                dr = cr = 0
                i += 2
                continue
            dd, mon, yyyy = first.split(" ")
            date = dt.date(int(yyyy), MONTH_ABBR.index(mon), int(dd))
            assert first == short_date(date)
            assert start <= date <= end
            inflow = bool(r[6])
            assert bool(r[5]) != inflow
            amount = pence(r[6] or r[5])
            if inflow:
                cr += amount
            else:
                dr += amount
            running += amount
            assert pence(r[7]) == running and pence(r[8]) == amount
            assert inflow == (account in INCOME_ACCOUNTS)
            c[(date, account, r[10], r[2], r[3], r[4], amount, inflow)] += 1
            i += 1
        assert account is None
        per_file.append(c)

    # Union of the overlapping exports, keeping the most occurrences seen in
    # any one file, is the ground truth outside the GnuCash quarter ...
    union = Counter()
    for c in per_file:
        for k, n in c.items():
            union[k] = max(union[k], n)
    assert union == Counter({k: n for k, n in truth.items() if not Q4[0] <= k[0] <= Q4[1]}), (len(union), len(truth))
    assert not (EXPORTS / "xero-2023-Q4.csv").exists() and not (EXPORTS / "xero-2024-ytd.csv").exists()

    # ... and the GnuCash book is October to December.
    gnc = check_gnucash()
    assert gnc == Counter({k: n for k, n in truth.items() if Q4[0] <= k[0] <= Q4[1]})
    per_file.append(gnc)

    check_iati()
    bank_summary = check_camt053()

    # Members, grants and funders.
    _, mem = read(HERE / "members.csv", "utf-8")
    kinds = Counter(r[2] for r in mem[1:])
    names = {r[1]: r for r in mem[1:]}
    for t in TXNS:
        if t.account in ("5000", "5010", "5040"):
            assert names[t.contact][2] == "member-group", t.contact
        if t.account == "5030":
            assert names[t.contact][2] == "individual", t.contact
    reached = {t.contact for t in TXNS if t.account in ("5000", "5010", "5040")}
    not_reached = [g[0] for g in GROUPS if g[0] not in reached]
    assert sorted(not_reached) == sorted(NO_MONEY), not_reached

    _, gout = read(HERE / "grants-out.csv", "utf-8")
    ledger_grants = Counter((t.reference, t.contact, t.pence, t.date.isoformat(), t.fund)
                            for t in TXNS if t.account == "5000")
    register_paid = Counter()
    committed = 0
    for r in gout[1:]:
        if r[-1]:
            register_paid[(r[0], r[8], pence(r[5]), r[-1], r[-2])] += 1
            assert r[4] == r[5]
            gap = (dt.date.fromisoformat(r[-1]) - dt.date.fromisoformat(r[6])).days
            assert 7 <= gap <= 60, r
        else:
            committed += 1
            assert pence(r[5]) == 0 and "2024-02-01" <= r[6] <= "2024-03-31"
    assert register_paid == ledger_grants and committed == 4

    funder_checks = {}
    for fname, fid in [("tidewater", "GB-CHC-9990201"), ("fellhouse", "GB-CHC-9990203"),
                       ("marlow-lane", "GB-CHC-9990202")]:
        _, rows = read(FUNDERS_DIR / f"{fname}-360giving.csv", "utf-8")
        assert rows[0] == GRANT_COLUMNS
        ours = [r for r in rows[1:] if r[7] == ORG_ID]
        assert len(ours) == 1 and 3 <= len(rows) - 2 <= 8
        assert len({r[0] for r in rows[1:]}) == len(rows) - 1
        received = sum(t.pence for t in TXNS if t.inflow and t.contact == FUNDER_NAME[fid])
        funder_checks[fname] = (pence(ours[0][5]), received)
        assert pence(ours[0][5]) - received == (MARLOW_DIFFERENCE if fname == "marlow-lane" else 0)

    # expected.csv adds up.
    _, exp = read(HERE / "expected.csv", "utf-8")
    assert exp[0] == EXPECTED_COLUMNS
    org = {r[0]: r for r in exp[1:] if r[1] == "organisation"}
    for q in QUARTERS:
        funds = [r for r in exp[1:] if r[0] == q and r[1] == "fund"]
        assert len(funds) == len(FUNDS)
        o = org[q]
        for j, col in enumerate(EXPECTED_COLUMNS[3:], 3):
            total = sum(int(r[j]) for r in funds)
            if col == "retained_hosting_fee":
                assert int(o[j]) == 0
            elif col == "transfer_out":
                host_fee = sum(int(r[EXPECTED_COLUMNS.index("retained_hosting_fee")]) for r in funds)
                assert int(o[j]) == total + host_fee
            else:
                assert int(o[j]) == total, (q, col)
        # Org-wide, the hosting fee nets out.
        assert o[EXPECTED_COLUMNS.index("transfer_in")] == o[EXPECTED_COLUMNS.index("transfer_out")]
    assert sum(int(org[q][-1]) for q in QUARTERS) == len(TXNS)
    year_income = sum(int(org[q][3]) for q in QUARTERS)
    assert year_income == sum(t.pence for t in TXNS if CATEGORY[t.account].startswith("income."))

    # Fund balances never go below zero at any month end.
    lows = {}
    for fund in FUNDS:
        bal = 0
        low = None
        for y, mo in months():
            end = dt.date(y, mo, calendar.monthrange(y, mo)[1])
            bal = sum((t.pence if t.inflow else -t.pence) for t in TXNS if t.fund == fund and t.date <= end)
            low = bal if low is None else min(low, bal)
        lows[fund] = (low, bal)
        assert low >= 0, (fund, low)
    return kinds, funder_checks, lows, [len(c) and sum(c.values()) for c in per_file], bank_summary


def summary():
    kinds, funder_checks, lows, file_counts, bank = check()
    red = sum(t.pence for t in TXNS if CATEGORY[t.account].startswith("redistributed."))
    ret = sum(t.pence for t in TXNS if CATEGORY[t.account].startswith("retained.") and t.account != "5900")
    uncl = sum(t.pence for t in TXNS if t.account == "7999")
    out = sys.stderr
    print(f"transactions: {len(TXNS)} (two identical twin pairs)", file=out)
    print(f"members: {dict(kinds)}", file=out)
    print(f"rows per ledger file (valid; cashbook Q2, Q3, H1, Xero Jan, Q1, GnuCash splits): {file_counts}", file=out)
    late = fellhouse_receipts()[FELLHOUSE_LATE[0] - 1]
    print(f"Fellhouse IATI: instalment {FELLHOUSE_LATE[0]} dated {late.date - dt.timedelta(days=14)}, "
          f"received {late.date} (£{money(late.pence)})", file=out)
    print(f"bank statement: {bank['entries']} entries ({bank['credits']} credits) for {bank['ledger_rows']} ledger rows, "
          f"opening £{money(bank['opening'])}, closing £{money(bank['closing'])}", file=out)
    for what in ("only_ledger", "only_bank", "amount_differs", "twins"):
        print(f"  {what}: {bank[what]}", file=out)
    print(f"grants out: {len(grants_out)} ({sum(1 for g in grants_out if g.txn is None)} committed)", file=out)
    print(f"funders (disbursed, received): {funder_checks}", file=out)
    print(f"redistributed £{money(red)}  retained £{money(ret)}  unclassified £{money(uncl)}  "
          f"rate {red / (red + ret):.4f}", file=out)
    print(f"fund balances (lowest month end, year end): "
          + ", ".join(f"{f} £{money(lo)} / £{money(end)}" for f, (lo, end) in lows.items()), file=out)
    print("all checks passed", file=out)


if __name__ == "__main__":
    summary()
