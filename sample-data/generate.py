#!/usr/bin/env python3
"""Generate redist's fictional sample data for FY 2023/24.

Northfield Peer Support Network (GB-CHC-9990012) is a made-up
infrastructure charity: it receives grants and donations and passes money
on to user-led mental-health peer groups.  Every organisation, person and
charity number here is invented.

The script first builds the list of *true* transactions (the ground truth),
then writes them into overlapping ledger exports in two formats, the member
register, funders' 360Giving files, the grants-out register and
``expected.csv`` (the ground-truth figures per quarter and scope).  It ends
by reading every file back and checking it against the ground truth.

Python 3.11 standard library only.  Deterministic: a fixed seed and no
clock, so the same script always writes byte-identical files.

    python3 sample-data/generate.py
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
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
H2 = (dt.date(2023, 10, 1), dt.date(2024, 3, 31))
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
    (brought across from the cashbook when the books moved to Xero)."""
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


write_csv(EXPORTS / "xero-2023-Q4.csv", xero_rows(*Q4))
write_csv(EXPORTS / "xero-2024-ytd.csv", xero_rows(*H2))

# ---- Funders' 360Giving files -------------------------------------------------

GRANT_COLUMNS = ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Amount Disbursed",
                 "Award Date", "Recipient Org:Identifier", "Recipient Org:Name", "Funding Org:Identifier",
                 "Funding Org:Name", "Grant Programme:Title", "Beneficiary Location:Name", "Last Modified"]

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
                            "North of England", last_modified]]
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
                     rid, rname, fid, FUNDER_NAME[fid], programme, place, last_modified])
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
                    "2024-04-15T10:00:00+00:00", go.fund, go.txn.date.isoformat() if paid else ""])
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

# --------------------------------------------------------------------------
# Reading everything back
# --------------------------------------------------------------------------


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
    twins = [k for k, n in truth.items() if n > 1]
    assert len(twins) == 1 and truth[twins[0]] == 2, twins

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
    for name, (start, end) in [("xero-2023-Q4.csv", Q4), ("xero-2024-ytd.csv", H2)]:
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
    # any one file, is the ground truth.
    union = Counter()
    for c in per_file:
        for k, n in c.items():
            union[k] = max(union[k], n)
    assert union == truth, (len(union), len(truth))

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
        if r[15]:
            register_paid[(r[0], r[8], pence(r[5]), r[15], r[14])] += 1
            assert r[4] == r[5]
            gap = (dt.date.fromisoformat(r[15]) - dt.date.fromisoformat(r[6])).days
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
    return kinds, funder_checks, lows, [len(c) and sum(c.values()) for c in per_file]


def summary():
    kinds, funder_checks, lows, file_counts = check()
    red = sum(t.pence for t in TXNS if CATEGORY[t.account].startswith("redistributed."))
    ret = sum(t.pence for t in TXNS if CATEGORY[t.account].startswith("retained.") and t.account != "5900")
    uncl = sum(t.pence for t in TXNS if t.account == "7999")
    out = sys.stderr
    print(f"transactions: {len(TXNS)} (one identical twin pair)", file=out)
    print(f"members: {dict(kinds)}", file=out)
    print(f"rows per ledger file (valid): {file_counts}", file=out)
    print(f"grants out: {len(grants_out)} ({sum(1 for g in grants_out if g.txn is None)} committed)", file=out)
    print(f"funders (disbursed, received): {funder_checks}", file=out)
    print(f"redistributed £{money(red)}  retained £{money(ret)}  unclassified £{money(uncl)}  "
          f"rate {red / (red + ret):.4f}", file=out)
    print(f"fund balances (lowest month end, year end): "
          + ", ".join(f"{f} £{money(lo)} / £{money(end)}" for f, (lo, end) in lows.items()), file=out)
    print("all checks passed", file=out)


if __name__ == "__main__":
    summary()
