"""Word classes the entity stage reads names by: titles, organisation heads, facilities, clubs.

These are grammar, not gazetteers: the words that make a capitalised run a person's title, an
organisation's name ('... Authority', '... Inc') or a building, whatever the name before them.
"""

from __future__ import annotations

import re


def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Capitalised runs with these words name laws, events, programmes and places, not people.
NOT_PERSON = wordset(
    """Agreement Treaty Accord Act Pact Summit Convention Plan Initiative Day Week War Games Cup
    Prize Award Bill Law Program Programme Project Policy Report Index Street Avenue Road Square
    Bridge River Lake Mountain Island Airport Station Hall Tower Building Stadium Park Festival
    Conference Forum Olympics Championship Series Operation Dam Airfield Base Camp Province
    District County Valley Strait Sea Ocean Gulf Coast Desert Highway Boulevard Lane Palace
    Cathedral Mosque Church Temple Museum Square Centre Center Hospital Prison Mall Market
    Resolution Communique Communiqué Dialogue Declaration Statement Order Charter Doctrine
    Protocol Memorandum Strategy Framework Budget Review Inquiry"""
)
# Facility heads: 'Sofia Park' or 'Victoria Station' name a place called that, not Sofia.
FACILITY = wordset(
    """Park Street Avenue Road Square Bridge Station Airport Hall Tower Building Stadium Arena
    Palace Hotel Mall Market Gardens Garden Centre Center Hospital Prison Dam Airfield Base Camp
    Boulevard Lane Highway Cathedral Mosque Church Temple Museum Theatre Theater School College"""
)
TITLES = wordset(
    """Mr. Mrs. Ms. Mr Mrs Ms Mx Messrs Miss Dr. Dr Prof. Prof Professor President Vice Prime
    Minister Secretary Senator Sen. Sen Representative Rep. Rep Gov. Gov Governor Mayor Judge
    Justice Chancellor King Queen Prince Princess Pope Gen. Gen General Col. Col Colonel Lt. Lt
    Sgt. Sgt Capt. Capt Captain Adm. Adm Admiral Maj. Maj Major Brig. Brig Cpl. Cpl Spc. Spc
    Ambassador Commissioner Director Chairman Chairwoman Chair Speaker Sheriff Lord Lady Sir Dame
    Rev. Rev Father Sister Brother Foreign Interior Finance Defense Defence Deputy Acting Former
    Chief Attorney First Premier Minister's Officer Detective Inspector Sergeant Coach Dean Bishop
    Cardinal Rabbi Imam Sheikh Emir Sultan State Councillor Councilor Councilman Councilwoman
    Alderman Alderwoman Superintendent Supt. Supt Det. Det Insp. Insp Trustee Magistrate
    Prosecutor Attorney-General Spokesman Spokeswoman Spokesperson Envoy Executive Manager
    Striker Midfielder Defender Goalkeeper Coach Manager Skipper Captain Chairman President-elect
    Class Officer Petty Private Corporal Specialist Airman Seaman Marshal Commander Adviser
    Advisor Leader Secretary-General Director-General Chargé Charge Consul Consul-General
    Attaché"""
)
# An office not yet taken is a title too ('Chancellor-designate Angela Merkel', 'Mayor-elect').
TITLES = TITLES | {f"{t}-{s}" for t in TITLES if t[-1].isalpha() for s in ("designate", "elect")}
# A run's last title word: the name starts after it ('US Attorney David Kelley' -> 'David Kelley').
TITLE_CORE = TITLES - wordset(
    "Foreign Interior Finance Defense Defence Deputy Acting Former State First Vice"
)
FEMALE_TITLES = wordset(
    "Mrs. Mrs Ms. Ms Miss Lady Dame Queen Princess Sister Chairwoman Councilwoman Alderwoman Spokeswoman"
)
MALE_TITLES = wordset(
    "Mr. Mr Sir Lord King Prince Father Brother Chairman Councilman Alderman Spokesman Messrs"
)
ORG_HEADS = wordset(
    """Administration Agency Association Authority Bank Board Bureau Chamber Church College
    Commission Committee Company Congress Corporation Corp. Corp Council Court Department
    Federation Foundation Fund Group Hospital Inc. Inc Institute Institution League Ltd. Ltd
    Ministry Museum Office Organization Organisation Parliament Party Police Program Programme
    Service Services School Senate Society Union University Academy Airlines Airways Army Navy
    Force Forces Guard Cartel Coalition Alliance Network Times Post News Journal Herald Tribune
    Gazette Courier Press Reuters Bloomberg Laboratory Laboratories Center Centre Club Team
    Community Co. Co Cos Plc PLC LLC LLP Holdings Partners Bancorp Trust Capital Securities
    Industries Motors Petroleum Pharmaceuticals Technologies Systems Communications Brothers
    Assembly Cabinet Treasury Commission Tribunal Exchange Reserve Railways Corps Brigade
    Battalion Regiment Division Command Council Secretariat Directorate Front Movement Institute
    Government Battery Wing Squadron Fleet Brotherhood Embassy Consulate Survey Mail Telegraph
    Mirror Observer"""
)
# Legal-form suffixes that end a company's name and may follow '&' ('Bear Stearns & Co Inc').
COMPANY_SUFFIX = wordset(
    "Co Co. Cos Inc Inc. Corp Corp. Ltd Ltd. Plc PLC LLC LLP LP NV SA AG SpA GmbH Bhd"
)
# Standing alone ('the Treasury said'), these words name one body in the story's country.
INSTITUTIONS = wordset(
    "Treasury Assembly Senate Parliament Congress Cabinet Commission Council Pentagon Kremlin"
)
# Sports clubs: 'Manchester United', 'Real Madrid' are teams, not the city.
CLUB_WORDS = wordset(
    "United Rovers Wanderers Athletic Albion Hotspur FC AFC Rangers City Town County Villa Olympic"
)
# Plurals of the land and of bodies: 'Cayman Islands', 'Golan Heights' and 'U.S. Forces' are no
# team, though a place comes before them.
_NO_TEAM = wordset(
    """Islands Isles Heights Falls Springs Lakes Mountains Hills Plains Keys Territories Provinces
    States Emirates Rapids Highlands Lowlands Marshes Flats Glades Woods Fields Gardens Rocks
    Sands Forces Affairs News Times Games Olympics Championships Series Masters Talks Airways
    Airlines Holdings Industries Motors Systems Services Communications Brothers Partners
    Residents Officials Authorities Leaders Troops Rebels Militants Fighters Soldiers Citizens
    Refugees Voters Workers Students People Police Says Claims"""
)


def is_team_name(word: str) -> bool:
    """'Colts' in 'Indianapolis Colts', 'Patriots' in 'New England Patriots': a capitalised
    plural after a place's name names a team, unless it is a word of the land or a people."""
    return (
        len(word) > 3
        and word[-1] == "s"
        and word[0].isupper()
        and word[1:].isalpha()
        and word[1:].islower()
        and word not in _NO_TEAM
        and word not in GROUPS
        and not DEMONYM.match(word[:-1])
    )


CLUB_PREFIX = wordset(
    "Real Inter AC Bayern Atletico Atlético Borussia Sporting Olympique Dynamo Dinamo Spartak CSKA Lokomotiv"
)
# All-capital words that are not organisations ('CEO', 'GDP', Roman numerals).
NOT_ACRONYM = wordset(
    """CEO CFO COO CTO GDP TV AIDS HIV DNA PM AM BC AD OK ID IT AI PC VAT IPO FAQ PDF PS RIP GMT
    UTC EST EDT PST PDT CST CDT CET BST MP MPs QC KC VIP SUV ATM LGBT LGBTQ COVID SARS MRI CCTV II III IV VI VII
    VIII IX XI XII XX US USA UK EU UN I A AM FM PR HR CD DVD GPS SMS"""
)
SENTENCE_WORDS = wordset(
    """The A An But And In On At As For While When After Still Now Then Last Since With Without Both
    Although Whereas However During Speaking Asked Requested Meanwhile If Under Before Despite
    Earlier Later This That These Those Yet So Or Nor Among Between From By Of To Unlike Like
    Instead Overall Also Even Only Just Once Here There Today Yesterday Tomorrow Near Around
    Across Along Inside Outside Within Through Throughout Against Toward Towards Over Above Below
    Beyond Many Most Some Several Few All Every Each Other Another More No Such Following
    Meantime Elsewhere Separately Additionally Furthermore Moreover"""
)
SPEECH = (
    r"(?:said|says|told|tells|added|adds|stated|states|wrote|writes|explained|noted|argued|"
    r"acknowledged|asked|informed|insisted|warned|replied|continued|recalled|announced|declared|"
    r"described|called|remarked|observed|cautioned|conceded|admitted|suggested|urged|tweeted|"
    r"posted|confirmed|denied|claimed|predicted|estimated|reported|added)"
)
OFFICE_WORDS = wordset(
    """State Defense Defence Homeland Security Foreign Affairs Interior Treasury Commerce Justice
    Labor Labour Energy Health Education Agriculture Transportation Transport Economy Finance
    Trade Housing"""
)
# 'Australian Lleyton Hewitt': a nationality before a name is not part of it.
DEMONYM = re.compile(
    r"^(?:[A-Z][a-z]+(?:ian|ean|an|ese|ish|i|ic)|French|Dutch|Swiss|Greek|Thai|Welsh|Scots|Irish|"
    r"British|Danish|Finnish|Polish|Spanish|Swedish|Turkish|Czech|Slovak|Kazakh|Uzbek|Filipino)$"
)
# A run ending in one of these names a place ('Diyala Province', 'Incirlik Air Base'); one
# starting with these and going on with 'of' does too ('Gulf of Aden', 'Sea of Japan').
PLACE_HEADS = wordset(
    """Province Governorate District Region County Valley River Mountains Peninsula Dam Strait
    Sea Ocean Desert Airfield Airport Island Islands Basin Plain Plains Canal Base Oblast Coast
    Prefecture Municipality Township Borough Parish Gulf Bay"""
)
PLACE_PREFIX = wordset("Fort Camp Mount Lake Gulf Cape Bay Sea Strait Isle Gulf Lake")
# A run ending in one of these names a text or an agreement, neither a body nor a place.
DOCUMENTS = wordset(
    """Resolution Act Bill Treaty Agreement Accord Pact Communique Communiqué Declaration Charter
    Protocol Memorandum Convention Report Strategy Doctrine"""
)
# 'Independence Day', 'Paris Masters': an event named after a place is not the place.
EVENTS = wordset(
    """Day Week Cup Games Prize Award Festival Olympics Championship Championships Series War
    Masters Open Marathon Summit Dialogue Talks"""
)
# Communities of faith, origin or party: 'Sunni Arab', 'Christian Democrats' name no one person.
GROUPS = wordset(
    """Muslim Muslims Christian Christians Jew Jews Jewish Sunni Sunnis Shia Shias Shiite Shiites
    Shi'ite Shi'ites Arab Arabs Kurd Kurds Kurdish Hindu Hindus Sikh Sikhs Buddhist Buddhists
    Catholic Catholics Protestant Protestants Orthodox Islamist Islamists Democrat Democrats
    Republican Republicans Western Westerners Maoist Maoists Communist Communists"""
)
# Ships: 'HMS Ocean', 'USS Cole' are vessels, neither place nor person.
SHIPS = wordset("HMS USS HMAS HMCS INS FS USNS RFA MV SS")
# A run opening with one of these names a storm ('Hurricane Katrina'), neither town nor person.
STORMS = wordset("Hurricane Typhoon Cyclone Storm Tropical Superstorm Tornado")
# Days and months: capitalised, after 'said' ('officials stated Thursday'), never a name.
CALENDAR = wordset(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept
    Oct Nov Dec Today Tonight Yesterday Tomorrow"""
)
