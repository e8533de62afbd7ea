"""Texts for the annotate tests: the sample archive's, and articles written for these tests.

FLOOD and MUSEUM are genuine-style reports written for this project. SPUN_FLOOD is FLOOD run through
a spinner's thesaurus by hand, with vocabulary of its own (few of the sample's spun bridge copy's
phrases); SPUN_MUSEUM uses only words that are in no lexicon entry, so only the word-balance and
grammar signals can catch it. WIRE_FLOOD republishes about 60% of FLOOD with the small edits a wire
desk makes. From the sample archive (content/raw/): BRIDGE, its spun copy BRIDGE_SPUN and wire copy
BRIDGE_WIRE; INSPECTION (tests/data/stories/) is a later report on the same bridges, people and
town: related to BRIDGE, and no copy of it.
"""

from __future__ import annotations

from ..conftest import STORIES, sample_texts

SAMPLES = sample_texts()
BRIDGE = SAMPLES["riverside-bridge"]
BRIDGE_SPUN = SAMPLES["riverside-bridge-spun"]
BRIDGE_WIRE = SAMPLES["riverside-bridge-wire"]
INSPECTION = (STORIES / "halden-bridges-inspection.txt").read_text(encoding="utf-8")

FLOOD = """RIVERTON — The Riverton City Council on Tuesday approved an emergency budget of $14.2 million to repair roads and bridges damaged by last week's flooding, officials said, as residents of the Willow Creek neighborhood began returning to their homes.

The vote was 7 to 2. Mayor Linda Okafor said the money would come from the city's reserve fund and from a loan that the council expects to repay over five years.

"We are not going to wait for the state to tell us what to do," Ms. Okafor said at a news conference after the vote. "People need their streets back now."

The National Weather Service said the Tamsin River rose 11 feet above flood stage on Jan. 14, the highest level recorded since 1996. More than 2,300 people were evacuated, and about 400 homes were damaged, according to the State Office of Emergency Management.

Councilman David Reyes, who voted against the plan, said the city should have waited for federal aid. "This is the biggest single spending decision we have made in a decade, and we made it in one afternoon," he said.

The Federal Emergency Management Agency has sent a team to assess the damage, but officials said it could take months before any federal money arrives. Gov. Helen Marsh declared a state of emergency for Clearwater and Ash counties last Friday.

Residents who returned on Wednesday found mud in their kitchens and basements. Maria Santos, 62, a retired teacher who has lived on Alder Street for 30 years, said the water reached the second step of her staircase. "I have never seen anything like it," she said. "My parents lived here before me, and they never saw anything like it either."

The city also plans to expand its flood warning system, adding 12 river gauges and a text alert service, said Jonah Whitfield, the city's public works director. He said the work would begin in March and cost about $1.8 million.

Scientists at Westbrook State University have warned that climate change is making heavy rainfall more frequent in the Pacific Northwest. A study published last year found that the number of extreme rain days in the region had increased by 20 percent since 1980.

Ms. Okafor said the council would hold a public hearing on Feb. 3 to discuss longer-term plans, including whether to buy out homes in the most flood-prone areas.

"Some of these houses have flooded three times in 20 years," she said. "At some point we have to ask whether it is fair to keep asking people to rebuild."
"""

SPUN_FLOOD = """RIVERTON — The Riverton Metropolis Council on Tuesday permitted an emergency price range of $14.2 million to restore roads and bridges broken by final week's flooding, officers mentioned, as residents of the Willow Creek neighborhood started returning to their properties.

The vote was 7 to 2. Mayor Linda Okafor stated the cash would come from the town's reserve fund and from a mortgage that the council expects to repay over 5 years.

"We aren't going to attend for the state to inform us what to do," Ms. Okafor stated at a information convention after the vote. "Individuals want their streets again now."

The Nationwide Climate Service stated the Tamsin River rose 11 toes above flood stage on Jan. 14, the best degree recorded since 1996. Greater than 2,300 individuals had been evacuated, and about 400 properties had been broken, in keeping with the State Workplace of Emergency Administration.

Councilman David Reyes, who voted towards the plan, stated the town ought to have waited for federal support. "That is the most important single spending choice we've made in a decade, and we made it in a single afternoon," he stated.

The Federal Emergency Administration Company has despatched a staff to evaluate the harm, however officers mentioned it might take months earlier than any federal cash arrives. Gov. Helen Marsh declared a state of emergency for Clearwater and Ash counties final Friday.

Residents who returned on Wednesday discovered mud of their kitchens and basements. Maria Santos, 62, a retired instructor who has lived on Alder Road for 30 years, stated the water reached the second step of her staircase. "I've by no means seen something prefer it," she stated. "My dad and mom lived right here earlier than me, and so they by no means noticed something prefer it both."

The town additionally plans to broaden its flood warning system, including 12 river gauges and a textual content alert service, stated Jonah Whitfield, the town's public works director. He stated the work would start in March and price about $1.8 million.

Scientists at Westbrook State College have warned that local weather change is making heavy rainfall extra frequent within the Pacific Northwest. A examine revealed final 12 months discovered that the quantity of excessive rain days within the area had elevated by 20 p.c since 1980.

Ms. Okafor stated the council would maintain a public listening to on Feb. 3 to debate longer-term plans, together with whether or not to purchase out properties in essentially the most flood-prone areas.

"A few of these homes have flooded 3 times in 20 years," she stated. "Sooner or later we've got to ask whether or not it's honest to maintain asking individuals to rebuild."
"""

WIRE_FLOOD = """RIVERTON (State News Service) — The Riverton City Council on Tuesday approved an emergency budget of $14.2 million to repair roads and bridges damaged by last week's flooding, officials said.

The vote was 7 to 2. Mayor Linda Okafor said the money would come from the city's reserve fund and from a loan that the council expects to repay over five years.

"We are not going to wait for the state to tell us what to do," Okafor said at a news conference after the vote.

The National Weather Service said the Tamsin River rose 11 feet above flood stage on Jan. 14, the highest level recorded since 1996. More than 2,300 people were evacuated, and about 400 homes were damaged, according to the State Office of Emergency Management.

Councilman David Reyes, who voted against the plan, said the city should have waited for federal aid. "This is the biggest single spending decision we have made in a decade, and we made it in one afternoon," Reyes said.

The Federal Emergency Management Agency has sent a team to assess the damage, but officials said it could take months before any federal money arrives.

Okafor said the council would hold a public hearing on Feb. 3 to discuss longer-term plans.

Copyright State News Service. All rights reserved.
"""

MUSEUM = """PORT ELLIS — The Harbor Museum reopened on Saturday after a two-year renovation that added a new wing for its collection of ship models and restored the 1887 customs house that holds its main galleries.

About 1,500 visitors lined up before the doors opened at 10 a.m., museum staff said. Admission was free for the weekend.

"People have been asking us every week when we would open again," said Priya Raman, the museum's director. "We wanted the building to be worth the wait."

The $9 million project was paid for largely by private donations, including a $3 million gift from the Calloway Foundation, Ms. Raman said. The city contributed $1.2 million, and the rest came from a state grant for historic buildings.

The new wing, designed by the architecture firm Holt & Ferris, has floor-to-ceiling windows facing the harbor and a workshop where volunteers repair wooden boats in view of visitors. The customs house had been closed to the public since 2019, when engineers found cracks in its foundation.

Among the first visitors was Tomas Lindqvist, 81, a retired ferry captain who donated a brass compass to the collection in 1994. He said he was glad to see it on display again. "It is in a better place than my garage," he said.

The museum will also start evening hours on Thursdays in the summer and plans a series of talks on the history of the port, Ms. Raman said. The first, on the shipwrecks of the 1920s, is scheduled for June 12.

Local businesses said they hoped the reopening would bring more visitors to the waterfront, where several shops closed during the pandemic. "A museum is not a cure for everything," said Ana Costa, who owns a café across the street. "But it helps when people have a reason to come down here."
"""

SPUN_MUSEUM = """PORT ELLIS — The Harbor Museum reopened on Saturday after a two-year renovation that added a contemporary wing for its assortment of ship fashions and restored the 1887 customs home that holds its major galleries.

About 1,500 guests lined up forward of the doorways opened at 10 a.m., museum workers stated. Admission was free for the weekend.

"Individuals have been asking us each week after we would open once more," stated Priya Raman, the museum's director. "We wished the constructing to be definitely worth the wait."

The $9 million venture was paid for largely by personal donations, amongst them a $3 million reward from the Calloway Basis, Ms. Raman stated. The town contributed $1.2 million, and the remaining got here from a state grant for historic buildings.

The contemporary wing, designed by the structure agency Holt & Ferris, has floor-to-ceiling home windows dealing with the harbor and a workshop the place volunteers restore picket boats in view of guests. The customs home had been closed to the general public since 2019, when engineers discovered cracks in its basis.

Amongst the primary guests was Tomas Lindqvist, 81, a retired ferry captain who donated a brass compass to the gathering in 1994. He stated he was glad to see it on show once more. "It's in a greater place than my storage," he stated.

The museum will additionally begin night hours on Thursdays within the summertime and plans a assortment of talks on the historical past of the port, Ms. Raman stated. The primary, on the shipwrecks of the Twenties, is scheduled for June 12.

Native companies stated they hoped the reopening would convey extra guests to the waterfront, the place a number of outlets closed all through the pandemic. "A museum isn't a treatment for every part," stated Ana Costa, who owns a café throughout the road. "However it helps when individuals have a purpose to come back down right here."
"""


def paragraph_pages(*texts: str) -> list[tuple[str, str]]:
    """(title, paragraph) for every paragraph of a dozen words or more in texts: short pages of real
    prose, the paragraphs of one text sharing its first line as their title."""
    pages = []
    for text in texts:
        title = text.strip().split("\n", 1)[0]
        pages += [(title, p) for p in text.split("\n\n") if len(p.split()) >= 12]
    return pages
