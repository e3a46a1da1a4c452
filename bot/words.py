"""Word lists that carry no topic: a question made only of these asks nothing in particular.

`STOP_WORDS` is the English stop-word list of scikit-learn (from the Glasgow Information
Retrieval Group), kept here so that answering never has to import scikit-learn.
`FILLERS` are the words people wrap any question in ("could", "tell me", "lately").
Neither ever counts as a word the FAQ does not know.
"""

from __future__ import annotations

STOP_WORDS = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst amoungst amount an and another any anyhow anyone anything
    anyway anywhere are around as at back be became because become becomes becoming been before
    beforehand behind being below beside besides between beyond bill both bottom but by call can
    cannot cant co con could couldnt cry de describe detail do done down due during each eg
    eight either eleven else elsewhere empty enough etc even ever every everyone everything
    everywhere except few fifteen fifty fill find fire first five for former formerly forty
    found four from front full further get give go had has hasnt have he hence her here
    hereafter hereby herein hereupon hers herself him himself his how however hundred i ie if in
    inc indeed interest into is it its itself keep last latter latterly least less ltd made many
    may me meanwhile might mill mine more moreover most mostly move much must my myself name
    namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere
    of off often on once one only onto or other others otherwise our ours ourselves out over own
    part per perhaps please put rather re same see seem seemed seeming seems serious several she
    should show side since sincere six sixty so some somehow someone something sometime
    sometimes somewhere still such system take ten than that the their them themselves then
    thence there thereafter thereby therefore therein thereupon these they thick thin third this
    those though three through throughout thru thus to together too top toward towards twelve
    twenty two un under until up upon us very via was we well were what whatever when whence
    whenever where whereafter whereas whereby wherein whereupon wherever whether which while
    whither who whoever whole whom whose why will with within without would yet you your yours
    yourself yourselves
    """.split()
)

FILLERS = frozenset(
    """
    ask asking bit could does doing doe explain get getting go going got guess happen
    happening help hey hi just keep kind know let lot lots make maybe mean need okay ok
    people pretty really say seem sort stuff tell thank thing things think want way
    wonder wondering would yeah yes lately recently day days night nights week weeks
    time times always ever usually often wrong deal idea question
    """.split()
)
