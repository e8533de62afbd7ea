"""Patterns the text cleaner uses to recognise junk lines, credits, bylines and spam (data, no logic)."""

from __future__ import annotations

import re


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Whole-line junk: (kind, reason, pattern). A line matching one of these is never prose.
LINE_RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, reason, re.compile(pattern, re.I))
    for kind, reason, pattern in (
        (
            "comment-form",
            "comment form",
            r"^(leave a (reply|comment)|post a comment|add a comment|"
            r"join the (conversation|discussion)|leave a reply\s*cancel reply|cancel reply|post comment|"
            r"submit comment|(comment|name|email|e-mail|website)\s*\*?|your email address will not be published\.?"
            r"(\s*required fields are marked\s*\*)?|required fields are marked\s*\*|"
            r"save my name, email, and website in this browser for the next time i comment\.?|"
            r"you must be logged in to post a comment\.?|notify me of (follow-up comments|new posts) by email\.?)$",
        ),
        (
            "comments",
            "reader comments",
            r"^(\d+\s+comments?|comments?\s*(\(\d+\))?|show comments|"
            r"view comments|reply|load more comments|\d+\s+responses? to .{1,120})$",
        ),
        (
            "share-widget",
            "share buttons",
            r"^((share|share this( article| story| post)?|share on|spread the word|"
            r"like this|tweet this)\s*:?|(click to share on|share on) \w+.*|loading\.\.\.|"
            r"((facebook|twitter|x|linkedin|whatsapp|email|e-mail|print|reddit|pinterest|telegram|tumblr|"
            r"pocket|threads|bluesky|mastodon|copy link|messenger)[\s,|•·/]*){1,12})$",
        ),
        (
            "newsletter",
            "newsletter sign-up box",
            r"^((sign up|subscribe|register)( now| today| here)?( for| to)? "
            r".{0,80}(newsletter|briefing|updates|digest|inbox).{0,60}|subscribe( now)?|sign up( now)?|"
            r"enter your (e-?mail|email address).{0,40}|get (the latest|our) .{0,80}(in|to) your inbox\.?|"
            r"by (signing up|subscribing),? you agree to .{0,120}|thank you for (signing up|subscribing)!?\.?|"
            r"(your )?e-?mail address|already a subscriber\?.{0,60})$",
        ),
        (
            "advertisement",
            "advertisement marker",
            r"^(advertisement|advertising|sponsored( content)?|"
            r"ad|ads by \w+|story continues below( this)? (advertisement|ad)|continue reading below|"
            r"scroll to continue( with content)?|paid (post|content))\.?$",
        ),
        (
            "related-links",
            "related-articles list",
            r"^(related( posts| articles| stories| coverage| content)?|"
            r"read more|read next|recommended( for you| reading)?|you (may|might) also like|more from .{1,40}|"
            r"most (read|popular|viewed)|trending( now)?|see also|also read|more on this story|"
            r"further reading)\s*:?\s*$",
        ),
        (
            "related-links",
            "related-article link",
            r"^(read more|read next|related|see also|also read|"
            r"more|recommended|watch)\s*:\s*\S.{0,200}$",
        ),
        ("copyright", "copyright line", r"^(©|\(c\)|copyright\b|all rights reserved).{0,300}$"),
        ("copyright", "copyright line", r"^.{0,120}\ball rights reserved\b.{0,200}$"),
        (
            "copyright",
            "redistribution notice",
            r"^this (material|article|story) may not be published,.{0,200}$",
        ),
        (
            "boilerplate",
            "cookie notice",
            r"^.{0,160}\b(we|this (site|website)) uses? cookies\b.{0,300}$",
        ),
        (
            "boilerplate",
            "cookie notice",
            r"^(accept( all)?( cookies)?|reject( all)?|cookie (settings|policy|"
            r"preferences)|manage (cookies|preferences))$",
        ),
        (
            "navigation",
            "navigation",
            r"^(skip to (main )?content|menu|main menu|home|search|"
            r"toggle navigation|back to top|(home|news)\s*(>|»|/|›)\s*.{1,120})$",
        ),
        (
            "boilerplate",
            "page furniture",
            r"^(print( this)?( article| page)?|font size|listen to (this )?"
            r"article|\d+\s+min(ute)?s? read|image \d+ of \d+|enlarge this image|toggle caption|"
            r"hide caption|(open|close) (image|gallery)|view (gallery|image))$",
        ),
    )
)

# Lines that start a block of junk: following short, non-prose lines belong to it.
BLOCK_KINDS = frozenset({"newsletter", "related-links", "share-widget", "comment-form"})

# Photo credits standing alone on a line. Group "credit" is what gets recorded.
CREDIT_RULES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # CARLO ALLEGRI / REUTERS, JANE DOE/AFP, ELIZABETH FRANTZ / Reuters
        r"^(?P<credit>[A-ZÀ-ÝŁŚŻ][A-ZÀ-ÝŁŚŻ.'’\-]+(?: [A-ZÀ-ÝŁŚŻ][A-ZÀ-ÝŁŚŻ.'’\-]+){0,4}\s*/\s*"
        r"[A-Za-z][\w.&'’\- ]{1,40})$",
        # Photo: John Smith/Getty Images; Photograph: ...; Credit: ...; Image: ...
        r"^\(?(?:photo(?:graph)?s?|image|picture|pictured|credit|photo credit|foto)\s*:\s*"
        r"(?P<credit>[^.!?]{2,80}?)\.?\)?$",
        # (Photograph by Maria Ortiz for The Courier), Photo by X
        r"^\(?(?:photo(?:graph)?s?|image|picture|illustration)\s+by\s+(?P<credit>[^.!?]{2,80}?)\.?\)?$",
        # John Smith/Getty Images  (Name Name / Agency, mixed case)
        r"^(?P<credit>[A-Z][\w.'’\-]+(?: [A-Z][\w.'’\-]+){1,3}\s*/\s*(?:Getty Images|AP|AFP|Reuters|EPA|"
        r"EPA-EFE|Shutterstock|Bloomberg|Associated Press|The [A-Z][\w ]{1,30}|[A-Z]{2,8}))$",
    )
)
CREDIT_RULES_I = tuple(re.compile(p.pattern, re.I) for p in CREDIT_RULES[1:3])

BYLINE = re.compile(r"^by\s+(?P<names>[^\n]{2,200})$", re.I)
DATE_LINE = re.compile(
    r"^(?:(?:first )?published|updated|last updated|posted|posted on|modified|date)\s*(?:on|:)?\s*"
    r"(?P<date>.{6,80})$",
    re.I,
)

# Wire tails and credit lines: names go to contributors.
CREDIT_LINES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"^\(\s*(?P<names>(?:additional )?(?:reporting|writing|editing|compiled|produced|graphics)\b.{3,400}?)\s*\)\.?$",
        r"^(?P<names>(?:additional )?reporting (?:was )?(?:contributed )?by\b.{3,400})$",
        r"^(?P<names>(?:contributing|contributors?)\s*:.{3,300})$",
        r"^(?P<names>.{3,200}?)\s+contributed (?:reporting|to this (?:report|article|story))(?: from .{2,60})?\.?$",
    )
)
CREDIT_SPLIT = re.compile(
    r"\s*(?:;|\(|\)|(?<![A-Z])\.(?=\s|$)|(?:additional )?(?:reporting|writing|editing|compiled|produced|graphics)"
    r"(?: was)?(?: contributed)?(?: by)?|contributing\s*:|contributors?\s*:|contributed (?:reporting|to this \w+)"
    r"(?: from .{2,60})?|associated press writers?|staff writers?|,|\band\b|&)\s*",
    re.I,
)

# Spam vocabulary: gambling, pharma and SEO words that never make up a whole real paragraph.
SPAM_WORDS = re.compile(
    r"(casino|bet(?!ween|ter|ray|a\b|s\b|ting\b|ted\b|h)|bahis|giri[sş]|deneme|bonus|slot|jackpot|poker|"
    r"rulet|kumar|sweepstake|viagra|cialis|escort|porn|xxx|1win|mostbet|parimatch|sahabet|"
    r"onwin|tipobet|iddaa|canl[ıi]|bedava|hack forum|apk)",
    re.I,
)
GLUED_DOMAIN = re.compile(
    r"[a-z0-9][a-z0-9-]{1,60}\.(?:com|net|org|info|xyz|io|bet|top|site|online|"
    r"club|vip|co|me|tv|biz|live|win|pro|casino|link)(?![a-z])",
    re.I,
)
STOPWORDS = _wordset(
    """the a an and or but of to in on at for with from by as is are was were be been has have had
    it its this that these those he she they we you i not no will would can could said says who
    which what when where than then there their his her our about after before over into up out
    de la el los las y en que del por un una le les des et du à il est der die das und ist zu"""
)

# Cheap substring screen run before the spam regexes (most lines have none of these).
SPAM_HINTS = (
    "bet",
    "casino",
    "bahis",
    "giri",
    "deneme",
    "bonus",
    "slot",
    "jackpot",
    "poker",
    "rulet",
    "kumar",
    "sweepstake",
    "viagra",
    "cialis",
    "escort",
    "porn",
    "xxx",
    "1win",
    "iddaa",
    "canl",
    "bedava",
    "apk",
    "hack forum",
    ".com",
    ".net",
    ".org",
    ".info",
    ".xyz",
    ".io",
    ".top",
    ".site",
    ".online",
    ".club",
    ".vip",
    ".co",
    ".me",
    ".tv",
    ".biz",
    ".live",
    ".win",
    ".pro",
    ".link",
)
